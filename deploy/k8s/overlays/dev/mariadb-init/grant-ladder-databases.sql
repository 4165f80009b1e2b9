-- Run once, when the data directory is first initialised, after the image has created the
-- user `ladder` (MARIADB_USER). Each Ladder service owns a database named ladder_<service>
-- and its migrations create it; this lets `ladder` create and use all of them.
GRANT ALL PRIVILEGES ON `ladder\_%`.* TO 'ladder'@'%';
