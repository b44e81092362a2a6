//! Keys fetched from `SECRET_SCANNING_KEYS_URL` (GitHub publishes its own at
//! `https://api.github.com/meta/public_keys/secret_scanning`): kept between reports, fetched
//! again when a report names a key they lack, and then at most once a minute, so a stream of
//! reports naming made-up keys cannot become a stream of fetches. Reports that arrive while a
//! fetch is under way wait for it rather than fetch again.

use super::ScanningKey;

/// The least time between two fetches of the key list.
pub const REFETCH_AFTER_MS: i64 = 60_000;

/// How long a fetch may be under way before reports stop waiting for it (the fetch itself
/// gives up sooner).
pub const FETCH_WAIT_MS: i64 = 10_000;

/// The keys last fetched, and how the last fetch went.
#[derive(Debug, Default)]
pub struct KeyCache {
    keys: Vec<ScanningKey>,
    /// When the last fetch began.
    tried_at: Option<i64>,
    under_way: bool,
    /// Why the last fetch failed, until one succeeds.
    problem: Option<String>,
}

/// What to do with a report naming a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The key is known: verify with it.
    Found(ScanningKey),
    /// Fetch the list (`began`, then `fetched`) and look again.
    Fetch,
    /// A fetch is under way: look again in a moment.
    Wait,
    /// Not among the keys fetched less than a minute ago.
    Unknown,
    /// The key is not kept and the last fetch, less than a minute ago, failed: why.
    Unavailable(String),
}

impl KeyCache {
    pub fn lookup(&self, key_id: &str, now: i64) -> Lookup {
        if let Some(key) = self.keys.iter().find(|k| k.key_identifier == key_id) {
            return Lookup::Found(key.clone());
        }
        // A clock that went back counts as no time passed: no fetch until it catches up.
        let since = self.tried_at.map(|at| now - at);
        match since {
            Some(ms) if self.under_way && ms < FETCH_WAIT_MS => Lookup::Wait,
            Some(ms) if ms < REFETCH_AFTER_MS => match &self.problem {
                Some(problem) => Lookup::Unavailable(problem.clone()),
                None => Lookup::Unknown,
            },
            _ => Lookup::Fetch,
        }
    }

    /// A fetch begins at `now`.
    pub fn began(&mut self, now: i64) {
        self.tried_at = Some(now);
        self.under_way = true;
    }

    /// A fetch ended: the list it brought replaces the kept one; a failure keeps the previous
    /// list (a key it holds still verifies) and is reported until a fetch succeeds.
    pub fn fetched(&mut self, outcome: Result<Vec<ScanningKey>, String>) {
        self.under_way = false;
        match outcome {
            Ok(keys) => {
                self.keys = keys;
                self.problem = None;
            }
            Err(problem) => self.problem = Some(problem),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> ScanningKey {
        ScanningKey {
            key_identifier: id.into(),
            key: format!("pem of {id}"),
        }
    }

    #[test]
    fn the_first_report_fetches_and_later_ones_use_what_it_brought() {
        let mut cache = KeyCache::default();
        assert_eq!(cache.lookup("k1", 1_000), Lookup::Fetch);
        cache.began(1_000);
        assert_eq!(
            cache.lookup("k1", 1_200),
            Lookup::Wait,
            "a fetch is under way"
        );
        cache.fetched(Ok(vec![key("k1")]));
        assert_eq!(cache.lookup("k1", 1_300), Lookup::Found(key("k1")));
        // Much later, a known key still needs no fetch.
        assert_eq!(cache.lookup("k1", 10_000_000), Lookup::Found(key("k1")));
    }

    #[test]
    fn an_unknown_key_fetches_again_at_most_once_a_minute() {
        let mut cache = KeyCache::default();
        cache.began(0);
        cache.fetched(Ok(vec![key("k1")]));
        for now in [1, 30_000, REFETCH_AFTER_MS - 1] {
            assert_eq!(cache.lookup("k2", now), Lookup::Unknown, "{now}");
        }
        assert_eq!(cache.lookup("k2", REFETCH_AFTER_MS), Lookup::Fetch);
        cache.began(REFETCH_AFTER_MS);
        cache.fetched(Ok(vec![key("k2")]));
        assert_eq!(
            cache.lookup("k2", REFETCH_AFTER_MS + 1),
            Lookup::Found(key("k2"))
        );
        // The new list replaces the old one: a key GitHub no longer publishes stops verifying.
        assert_eq!(cache.lookup("k1", REFETCH_AFTER_MS + 1), Lookup::Unknown);
        // A clock that went back fetches nothing.
        assert_eq!(cache.lookup("k3", 0), Lookup::Unknown);
    }

    #[test]
    fn a_failed_fetch_is_reported_keeps_the_old_keys_and_is_tried_again_a_minute_later() {
        let mut cache = KeyCache::default();
        cache.began(0);
        cache.fetched(Ok(vec![key("k1")]));
        cache.began(REFETCH_AFTER_MS);
        cache.fetched(Err("the URL answered 500".into()));
        let later = REFETCH_AFTER_MS + 5;
        assert_eq!(cache.lookup("k1", later), Lookup::Found(key("k1")));
        assert_eq!(
            cache.lookup("k2", later),
            Lookup::Unavailable("the URL answered 500".into())
        );
        assert_eq!(cache.lookup("k2", 2 * REFETCH_AFTER_MS), Lookup::Fetch);
        cache.began(2 * REFETCH_AFTER_MS);
        cache.fetched(Ok(vec![key("k2")]));
        assert_eq!(
            cache.lookup("k3", 2 * REFETCH_AFTER_MS + 1),
            Lookup::Unknown
        );
    }

    #[test]
    fn a_fetch_that_never_ends_stops_holding_reports_back() {
        let mut cache = KeyCache::default();
        cache.began(0);
        assert_eq!(cache.lookup("k1", FETCH_WAIT_MS - 1), Lookup::Wait);
        assert_eq!(cache.lookup("k1", FETCH_WAIT_MS), Lookup::Unknown);
        assert_eq!(cache.lookup("k1", REFETCH_AFTER_MS), Lookup::Fetch);
    }
}
