-- Each county row keeps its levelled customer managers per level (active, role customer
-- manager, a level given), maintained by the transaction that changes them together with
-- head_count_version. The senior-cap check reads them from the county row it locks instead
-- of counting the county's employees on every change.

ALTER TABLE org_units
  ADD COLUMN juniors INT NOT NULL DEFAULT 0,
  ADD COLUMN intermediates INT NOT NULL DEFAULT 0,
  ADD COLUMN seniors INT NOT NULL DEFAULT 0;

-- Role 1: customer manager; status 3: active; levels 1, 2, 3: junior, intermediate, senior.
UPDATE org_units o
  JOIN (SELECT county_id,
               SUM(level = 1) AS juniors,
               SUM(level = 2) AS intermediates,
               SUM(level = 3) AS seniors
          FROM employees
         WHERE role = 1 AND status = 3 AND level > 0
         GROUP BY county_id) c ON c.county_id = o.id
   SET o.juniors = c.juniors, o.intermediates = c.intermediates, o.seniors = c.seniors;
