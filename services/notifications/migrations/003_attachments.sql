-- A message may carry a file another service holds (an invoice mailed with its document, issue 11
-- item 7): where to fetch it when sending ({"service", "path", "file_name", "content_type"}); the
-- bytes are fetched at each try, never stored here.
ALTER TABLE deliveries ADD COLUMN attachment jsonb;
