-- Rankings read a county's level in composite order, highest first, then by employee: an
-- index in that very order lets a page be one range scan from the page's key, however deep
-- (the ascending index made every page sort the rest of the county). MySQL 8 and MariaDB
-- 10.8+ keep DESC; older servers accept it and sort.
ALTER TABLE evaluations
  DROP KEY evaluations_ranking,
  ADD KEY evaluations_ranking (cycle_id, county_id, level, composite_milli DESC, employee_id);
