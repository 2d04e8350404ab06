//! Byte counts as people read and write them: `1.5 MiB` in messages, `2MiB` in options.

/// `812 B`, `3.4 KiB`, `1.5 MiB`.
pub(crate) fn human(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0))
    }
}

/// Reads a size option: a number of bytes, optionally followed by `KiB` or `MiB` (or
/// `K`, `M`; case does not matter), e.g. `1048576`, `512KiB`, `2MiB`.
pub(crate) fn parse(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1024,
        "m" | "mib" => 1024 * 1024,
        _ => 0,
    };
    number
        .parse::<u64>()
        .ok()
        .filter(|_| scale > 0)
        .and_then(|n| n.checked_mul(scale))
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            format!("`{text}` is not a size; write bytes, or a number with KiB or MiB (e.g. 2MiB)")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_and_print_in_binary_units() {
        assert_eq!(parse("1048576"), Ok(1024 * 1024));
        assert_eq!(parse("512KiB"), Ok(512 * 1024));
        assert_eq!(parse("2 mib"), Ok(2 * 1024 * 1024));
        assert_eq!(parse("3M"), Ok(3 * 1024 * 1024));
        for bad in [
            "",
            "0",
            "MiB",
            "1.5MiB",
            "2GB",
            "-1",
            "99999999999999999999",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(human(812), "812 B");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(1024 * 1024), "1.0 MiB");
    }
}
