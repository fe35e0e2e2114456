-- Add-ons' fee items take the one item id of shared/fees.py: `add-on:<line>:<service>` (was
-- `addon:<line>:<service>`), so a later AddOnDisconnected finds the row a connection wrote before.
UPDATE account_fees SET item_id = 'add-on:' || substr(item_id, length('addon:') + 1) WHERE item_id LIKE 'addon:%';
