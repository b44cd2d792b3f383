//! Text for the HTML report: escaping every string that came from an upload, and numbers
//! written the way a printed report writes them.

/// Escapes text for HTML element content and quoted attribute values.
///
/// # Examples
/// ```
/// use gapmap::output::report::escape;
/// assert_eq!(escape(r#"<b>"Tom" & 'Jerry'</b>"#), "&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// `x` with `decimals` decimals and thousands separated by commas; a minus sign (U+2212)
/// for negatives.
///
/// # Examples
/// ```
/// use gapmap::output::report::number;
/// assert_eq!(number(1234567.891, 1), "1,234,567.9");
/// assert_eq!(number(-1234.0, 0), "−1,234");
/// assert_eq!(number(0.6, 0), "1");
/// ```
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".to_owned();
    }
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let zero = text.chars().all(|c| c == '0' || c == '.');
    let mut out = String::new();
    if x < 0.0 && !zero {
        out.push('−');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A change with its sign: `+1,234`, `−56`, `0`.
pub fn change(x: f64, decimals: usize) -> String {
    let n = number(x, decimals);
    if x > 0.0 && n.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{n}")
    } else {
        n
    }
}

/// A share as a whole percentage: `0.256` -> `26%`.
pub fn percent(share: f64) -> String {
    format!("{}%", number(share * 100.0, 0))
}

/// A quantity with few significant digits for small values (access ratios, fractions of
/// a site): 0.000412 -> `0.00041`, 12.345 -> `12.3`, 1234.6 -> `1,235`, 50 -> `50`.
pub fn amount(x: f64) -> String {
    let a = x.abs();
    let decimals = if a == 0.0 || a >= 100.0 || a.fract() == 0.0 {
        0
    } else if a >= 1.0 {
        1
    } else {
        // Two significant digits.
        (-(a.log10().floor()) as usize) + 1
    };
    number(x, decimals.min(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_amounts_keep_two_significant_digits() {
        assert_eq!(amount(0.000412), "0.00041");
        assert_eq!(amount(0.5), "0.50");
        assert_eq!(amount(12.345), "12.3");
        assert_eq!(amount(1234.6), "1,235");
        assert_eq!(amount(0.0), "0");
        assert_eq!(amount(3.0), "3");
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(change(12.0, 0), "+12");
        assert_eq!(change(-3.5, 1), "−3.5");
        assert_eq!(change(0.0, 0), "0");
        assert_eq!(change(0.04, 1), "0.0");
        assert_eq!(number(-0.04, 1), "0.0");
    }
}
