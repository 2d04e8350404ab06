//! One sort for the paths that order a few dozen items (suggestions, typo candidates).
//!
//! Each `sort_by` with its own element type and closure is a copy of the standard
//! library's sort in the wasm module, 5 to 10 KB before compression, and faq-core is
//! built for speed (`opt-level = 3`), which copies it further. These paths share one
//! copy instead: they order indexes through a comparator behind a reference, then
//! move the items into that order. The hot paths (scoring every matched document)
//! keep their own inlined sorts.

use std::cmp::Ordering;

/// Sorts `items` by `cmp`, stable like `slice::sort_by`.
pub(crate) fn sort_by<T>(items: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = ordered(items.len(), &|a, b| cmp(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// The indexes `0..len`, sorted by `cmp` (ties keep index order).
#[inline(never)]
fn ordered(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        // Pairs whose first halves tie: stability decides the order of their seconds.
        let mut seed = 7u32;
        for len in [0, 1, 2, 3, 17, 64, 200] {
            let items: Vec<(u8, u32)> = (0..len)
                .map(|i| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((seed >> 16) as u8 % 5, i)
                })
                .collect();
            let mut ours = items.clone();
            sort_by(&mut ours, |a, b| b.0.cmp(&a.0));
            let mut std = items;
            std.sort_by_key(|p| std::cmp::Reverse(p.0));
            assert_eq!(ours, std, "length {len}");
        }
    }

    #[test]
    fn moves_owned_items_without_cloning() {
        let mut words = vec!["pear".to_string(), "apple".into(), "fig".into()];
        sort_by(&mut words, |a, b| a.cmp(b));
        assert_eq!(words, ["apple", "fig", "pear"]);
    }
}
