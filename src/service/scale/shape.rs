//! The shape of a generated data set, as pure functions: how many brands and partners a scale
//! gets, the skew (Zipf) that gives a few partners a large share of the orders, and the small
//! random choices (line counts, which brands a partner serves).

use rand::Rng;

/// How many organisations of each kind a scale of `orders` gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub orders: u64,
    pub brands: usize,
    /// Suppliers and factories: the partners orders are placed with.
    pub partners: usize,
    pub financiers: usize,
    pub warehouses: usize,
}

/// ~100 brands and ~10,000 partners at a million orders, fewer in proportion below that (the
/// square root for brands, so a small scale still has several), never fewer than 2 brands and
/// 5 partners.
pub fn shape(orders: u64) -> Shape {
    let fraction = orders as f64 / 1_000_000.0;
    let brands = ((100.0 * fraction.sqrt()).round() as usize).clamp(2, 100);
    let partners = ((10_000.0 * fraction).round() as usize).clamp(5, 10_000);
    let few = (partners / 500).clamp(1, 20);
    Shape {
        orders,
        brands,
        partners,
        financiers: few.min(10),
        warehouses: few,
    }
}

/// A Zipf distribution over ranks 0..n: rank `k` has weight 1 / (k + 1)^s.
#[derive(Clone, Debug)]
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let mut cumulative = Vec::with_capacity(n.max(1));
        for k in 0..n.max(1) {
            total += 1.0 / ((k + 1) as f64).powf(s);
            cumulative.push(total);
        }
        for c in &mut cumulative {
            *c /= total;
        }
        Zipf { cumulative }
    }

    /// The rank a uniform number `u` in [0, 1) falls on.
    pub fn pick(&self, u: f64) -> usize {
        let i = self.cumulative.partition_point(|c| *c <= u);
        i.min(self.cumulative.len() - 1)
    }

    pub fn sample(&self, rng: &mut impl Rng) -> usize {
        self.pick(rng.r#gen::<f64>())
    }

    /// The share of all draws rank `k` gets.
    pub fn share(&self, k: usize) -> f64 {
        let before = if k == 0 { 0.0 } else { self.cumulative[k - 1] };
        self.cumulative[k] - before
    }
}

/// The skew of orders over partners: the largest gets about a tenth at 10,000 partners.
pub const PARTNER_SKEW: f64 = 1.0;
/// The skew of partnerships over brands.
pub const BRAND_SKEW: f64 = 0.8;

/// Where in the time span (0: two years ago, 1: now) the `u`-th fraction of the orders falls,
/// for business that grows: the order rate today is three times that at the start (density
/// 1 + 2t, so the cumulative share is (t + t²) / 2).
pub fn growth(u: f64) -> f64 {
    ((1.0 + 8.0 * u.clamp(0.0, 1.0)).sqrt() - 1.0) / 2.0
}

/// 3 to 10 lines, fewer more often (a mean near 5).
pub fn line_count(u: f64) -> usize {
    // Weights for 3, 4, …, 10 lines.
    const WEIGHTS: [f64; 8] = [0.22, 0.2, 0.16, 0.13, 0.1, 0.08, 0.06, 0.05];
    let mut acc = 0.0;
    for (i, w) in WEIGHTS.iter().enumerate() {
        acc += w;
        if u < acc {
            return 3 + i;
        }
    }
    10
}

/// The brands partner `rank` works for: the largest partners serve many brands, the rest one
/// to three, drawn with the brands' own skew. Rank 0 always serves brand 0, so the largest
/// partner and the largest brand share orders.
pub fn brands_of_partner(rank: usize, brands: usize, rng: &mut impl Rng) -> Vec<usize> {
    let wanted = if rank < 10 {
        (12 - rank).min(brands)
    } else {
        rng.gen_range(1..=3usize).min(brands)
    };
    let skew = Zipf::new(brands, BRAND_SKEW);
    let mut chosen = Vec::with_capacity(wanted);
    if rank == 0 {
        chosen.push(0);
    }
    let mut tries = 0;
    while chosen.len() < wanted && tries < 1000 {
        let b = skew.sample(rng);
        if !chosen.contains(&b) {
            chosen.push(b);
        }
        tries += 1;
    }
    chosen
}

/// Partners alternate between suppliers and factories; the largest is a factory (it records
/// traceability, so the trace pages have its chains to show).
pub fn is_factory(rank: usize) -> bool {
    rank.is_multiple_of(2) || rank % 5 == 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn a_million_orders_get_a_hundred_brands_and_ten_thousand_partners() {
        let s = shape(1_000_000);
        assert_eq!((s.brands, s.partners), (100, 10_000));
        assert_eq!((s.financiers, s.warehouses), (10, 20));
    }

    #[test]
    fn smaller_scales_shrink_in_proportion_but_keep_a_few_of_each() {
        let s = shape(10_000);
        assert_eq!((s.brands, s.partners), (10, 100));
        let tiny = shape(300);
        assert_eq!((tiny.brands, tiny.partners), (2, 5));
        assert_eq!((tiny.financiers, tiny.warehouses), (1, 1));
    }

    #[test]
    fn zipf_shares_add_up_and_fall_with_rank() {
        let z = Zipf::new(10_000, PARTNER_SKEW);
        let total: f64 = (0..10_000).map(|k| z.share(k)).sum();
        assert!((total - 1.0).abs() < 1e-9);
        assert!(z.share(0) > z.share(1) && z.share(1) > z.share(100));
        // The largest of 10,000 partners gets about a tenth of the orders.
        assert!((0.09..0.12).contains(&z.share(0)), "{}", z.share(0));
        // The top ten get over a quarter.
        let top: f64 = (0..10).map(|k| z.share(k)).sum();
        assert!(top > 0.25, "{top}");
    }

    #[test]
    fn zipf_picks_cover_the_ends() {
        let z = Zipf::new(5, 1.0);
        assert_eq!(z.pick(0.0), 0);
        assert_eq!(z.pick(0.999_999), 4);
        assert_eq!(z.pick(1.0), 4);
    }

    #[test]
    fn sampled_orders_follow_the_skew() {
        let z = Zipf::new(1_000, PARTNER_SKEW);
        let mut rng = StdRng::seed_from_u64(1);
        let mut counts = vec![0usize; 1_000];
        for _ in 0..100_000 {
            counts[z.sample(&mut rng)] += 1;
        }
        let expected = z.share(0) * 100_000.0;
        assert!((counts[0] as f64 - expected).abs() < expected * 0.05);
        assert!(counts[0] > counts[10] * 5);
    }

    #[test]
    fn business_grows_so_recent_months_have_more_orders() {
        assert_eq!(growth(0.0), 0.0);
        assert!((growth(1.0) - 1.0).abs() < 1e-12);
        // The first half of the span holds 3/8 of the orders; the last month about 6 %.
        assert!((growth(0.375) - 0.5).abs() < 1e-9);
        let last_month = 1.0 - 30.0 / 730.0;
        let share = 1.0 - (last_month + last_month * last_month) / 2.0;
        assert!((growth(1.0 - share) - last_month).abs() < 1e-9);
        assert!((0.055..0.065).contains(&share));
    }

    #[test]
    fn orders_have_three_to_ten_lines_mostly_few() {
        assert_eq!(line_count(0.0), 3);
        assert_eq!(line_count(0.999), 10);
        let mut rng = StdRng::seed_from_u64(2);
        let n: Vec<usize> = (0..10_000).map(|_| line_count(rng.r#gen())).collect();
        assert!(n.iter().all(|c| (3..=10).contains(c)));
        let mean = n.iter().sum::<usize>() as f64 / n.len() as f64;
        assert!((4.5..6.0).contains(&mean), "{mean}");
    }

    #[test]
    fn the_largest_partner_serves_the_largest_brand_and_others_serve_few() {
        let mut rng = StdRng::seed_from_u64(3);
        let top = brands_of_partner(0, 100, &mut rng);
        assert_eq!(top[0], 0);
        assert_eq!(top.len(), 12);
        let small = brands_of_partner(500, 100, &mut rng);
        assert!((1..=3).contains(&small.len()));
        let mut dedup = small.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), small.len());
        assert_eq!(brands_of_partner(0, 2, &mut rng), vec![0, 1]);
    }

    #[test]
    fn the_largest_partner_is_a_factory() {
        assert!(is_factory(0));
        assert!(!is_factory(3));
    }
}
