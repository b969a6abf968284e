DROP TABLE settings;
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE related_links;
DROP TABLE sections;
DROP TABLE articles;
DROP TABLE categories;
DROP TABLE users;
