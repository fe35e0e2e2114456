-- What the relay last saw on each partition of its topic (index = partition, value = the next
-- offset). A broker that answers with lower offsets lost the topic (recreated, wiped): republish.
ALTER TABLE relay_checkpoints ADD COLUMN partition_offsets bigint[] NOT NULL DEFAULT '{}';
