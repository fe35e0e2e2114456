-- The address a one-time code was sent to: a phone confirmation code confirms only the SMS phone it
-- went to (changing the SMS phone afterwards must not let the code confirm the new number).
ALTER TABLE one_time_codes ADD COLUMN target text;
