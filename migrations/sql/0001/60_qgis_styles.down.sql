-- Only mlyetl's own styles go; styles a user saved from QGIS stay with the table.
DELETE FROM layer_styles WHERE stylename LIKE 'mlyetl %';
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM layer_styles) THEN DROP TABLE layer_styles; END IF;
END $$;
