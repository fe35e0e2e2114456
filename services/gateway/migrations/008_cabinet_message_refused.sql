-- MessageFailed version 2 says whether the address was refused for good (docs/events.md); version-1
-- events did not, and read as not refused.
ALTER TABLE cabinet_messages ADD COLUMN refused boolean NOT NULL DEFAULT false;
