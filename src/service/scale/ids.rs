//! Deterministic ids: UUIDv7 with the row's own time and random bits from the generator's seed,
//! so ids sort by time like the app's and a seed gives the same data again.

use rand::RngCore;
use uuid::Uuid;

pub fn uuid_at(rng: &mut impl RngCore, ms: i64) -> Uuid {
    let mut random = [0u8; 10];
    rng.fill_bytes(&mut random);
    uuid::Builder::from_unix_timestamp_millis(u64::try_from(ms).unwrap_or(0), &random).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn ids_are_version_7_ordered_by_time_and_repeatable() {
        let mut a = StdRng::seed_from_u64(5);
        let mut b = StdRng::seed_from_u64(5);
        let early = uuid_at(&mut a, 1_700_000_000_000);
        assert_eq!(early, uuid_at(&mut b, 1_700_000_000_000));
        assert_eq!(early.get_version_num(), 7);
        assert!(uuid_at(&mut a, 1_700_000_000_001) > early);
    }
}
