//! Counter increments batched in memory between flushes.

use std::collections::HashMap;
use std::sync::Mutex;

use cms_core::plugins::CounterDelta;

/// Increments not yet written, by (plugin, key).
#[derive(Default)]
pub struct Pending {
    map: Mutex<HashMap<(String, String), i64>>,
}

impl Pending {
    pub fn add(&self, plugin: &str, key: &str, delta: i64) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let v = map.entry((plugin.to_owned(), key.to_owned())).or_insert(0);
        *v = v.saturating_add(delta);
    }

    /// What this node has added to a counter since the last flush.
    pub fn get(&self, plugin: &str, key: &str) -> i64 {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&(plugin.to_owned(), key.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// Takes everything pending, leaving nothing behind.
    pub fn take(&self) -> Vec<CounterDelta> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::take(&mut *map)
            .into_iter()
            .filter(|(_, d)| *d != 0)
            .map(|((plugin, key), delta)| CounterDelta { plugin, key, delta })
            .collect()
    }

    /// Puts back a batch that could not be written.
    pub fn restore(&self, batch: Vec<CounterDelta>) {
        for d in batch {
            self.add(&d.plugin, &d.key, d.delta);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_and_restores() {
        let p = Pending::default();
        p.add("a", "k", 2);
        p.add("a", "k", 3);
        p.add("b", "k", 1);
        assert_eq!(p.get("a", "k"), 5);
        let mut batch = p.take();
        batch.sort_by(|x, y| x.plugin.cmp(&y.plugin));
        assert_eq!(batch.len(), 2);
        assert_eq!(p.get("a", "k"), 0);
        p.restore(batch);
        assert_eq!(p.get("a", "k"), 5);
    }
}
