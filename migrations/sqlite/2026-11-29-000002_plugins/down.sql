DROP TABLE plugin_counters;
DROP TABLE plugin_kv;
DROP TABLE plugins;
