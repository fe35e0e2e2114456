-- An add-on counts from the day it is connected (AddOnConnected.on), as shared/fees.py's FeeItem.starts_on
-- says: a period that starts before that day does not include it. Lines and older rows: NULL (always).
ALTER TABLE account_fees ADD COLUMN starts_on date;
