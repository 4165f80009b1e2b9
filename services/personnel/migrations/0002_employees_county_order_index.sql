-- Lists of one county's employees page in id order: without this index every page read all
-- of the county's rows and sorted them.
CREATE INDEX IF NOT EXISTS employees_county_id ON employees (county_id, id);
