//! A cell's value and its one CSV spelling, written without allocating: the fast path
//! every table and every sweep file goes through, kept apart from what the columns mean.

use super::Dtype;

/// One value of a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(u64),
    Signed(i64),
    /// A number, or missing (written as an empty cell) where it is undefined.
    Float(Option<f64>),
    Text(String),
}

impl Cell {
    /// The type of a column of such cells.
    pub fn dtype(&self) -> Dtype {
        match self {
            Cell::Int(_) | Cell::Signed(_) => Dtype::Int,
            Cell::Float(_) => Dtype::Float,
            Cell::Text(_) => Dtype::String,
        }
    }

    /// The CSV text: integers plainly; floats rounded to 9 decimals (far below any
    /// sampling error, and free of rounding noise such as 0.49999999999995) in shortest
    /// form, always with a decimal point (`1.0`, `0.0`), infinity as `inf`; missing and
    /// NaN (undefined, as 0/0) as an empty cell.
    pub fn to_csv(&self) -> String {
        let mut out = Vec::new();
        self.write_csv(&mut out);
        String::from_utf8(out).expect("cells are UTF-8")
    }

    /// Appends [`Cell::to_csv`]'s text to `out`, without allocating: a sweep writes
    /// hundreds of millions of cells.
    pub fn write_csv(&self, out: &mut Vec<u8>) {
        match self {
            Cell::Int(i) => push_digits(out, *i),
            Cell::Signed(i) => {
                if *i < 0 {
                    out.push(b'-');
                }
                push_digits(out, i.unsigned_abs());
            }
            Cell::Float(None) => {}
            Cell::Float(Some(x)) if x.is_nan() => {}
            Cell::Float(Some(x)) if x.is_infinite() => {
                out.extend_from_slice(if *x > 0.0 { &b"inf"[..] } else { &b"-inf"[..] });
            }
            Cell::Float(Some(x)) => push_rounded(out, *x),
            Cell::Text(t) => out.extend_from_slice(t.as_bytes()),
        }
    }
}

/// Appends `field` to a CSV record in `out` as the `csv` crate writes it by default:
/// quoted, with quotes doubled, when it holds a comma, a quote or a line break, else
/// as it is. Numbers never need quotes.
pub fn push_csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.push(b'"');
        for &b in field {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

/// Appends a record of `cells` to `out` after `prefix` (fields already in CSV form,
/// each followed by a comma, or empty), ending it with a line feed: the bytes
/// `csv::Writer` writes for the same fields with its defaults, without its per-field
/// bookkeeping (a sweep writes hundreds of millions of cells). A record of a single
/// empty field is not one of ours (the `csv` crate would quote it).
pub fn push_csv_record(out: &mut Vec<u8>, prefix: &[u8], cells: impl Iterator<Item = Cell>) {
    out.extend_from_slice(prefix);
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match cell {
            Cell::Text(t) => push_csv_field(out, t.as_bytes()),
            number => number.write_csv(out),
        }
    }
    out.push(b'\n');
}

/// The decimal digits of `v`.
fn push_digits(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// `x` (finite) rounded to 9 decimals, in the shortest form that reads back as that
/// rounded double (Rust's `Display` of it, which never uses an exponent), with `.0`
/// after a whole number so that every reader takes the column for floats.
///
/// Below 10⁶ in magnitude the doubles are less than 10⁻⁹ / 8 apart, so no other decimal
/// of at most 9 places reads back as the rounded value `n / 10⁹`, and no shorter
/// decimal can either: its shortest form is `n / 10⁹` written out with trailing zeros
/// dropped, which is done here with integer arithmetic instead of the general
/// shortest-form search. Larger values (and NaN) take `Display`.
/// `tests::fast_cells_are_display_cells` compares the two on millions of values.
pub(super) fn push_rounded(out: &mut Vec<u8>, x: f64) {
    let scaled = (x * 1e9).round();
    if scaled.abs() < 1e15 {
        let n = scaled as i64;
        if n < 0 {
            out.push(b'-');
        }
        let m = n.unsigned_abs();
        push_digits(out, m / 1_000_000_000);
        let mut fraction = m % 1_000_000_000;
        if fraction == 0 {
            out.extend_from_slice(b".0");
        } else {
            let mut places = 9;
            while fraction.is_multiple_of(10) {
                fraction /= 10;
                places -= 1;
            }
            out.push(b'.');
            let mut digits = [b'0'; 9];
            for d in digits[..places].iter_mut().rev() {
                *d = b'0' + (fraction % 10) as u8;
                fraction /= 10;
            }
            out.extend_from_slice(&digits[..places]);
        }
    } else {
        out.extend_from_slice(display_rounded(x).as_bytes());
    }
}

/// The number a float cell's CSV text reads back as: `x` rounded to 9 decimals (as
/// `push_rounded` and `display_rounded` write it), infinity and NaN as they are. A
/// binary format that stores this holds the same numbers as the CSV, to the bit.
pub fn csv_float(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let scaled = x * 1e9;
    // From 2⁵³ / 10⁹ (about 9·10⁶) on, doubles are further apart than 10⁻⁹: rounding
    // to 9 decimals gives `x` back, and scaling back down would only add noise.
    // + 0.0: a negative number that rounds to zero is written `0.0`, which reads as +0.
    if scaled.abs() < 9_007_199_254_740_992.0 {
        scaled.round() / 1e9 + 0.0
    } else {
        x + 0.0
    }
}

/// The general form of [`push_rounded`]: `Display` of the rounded value, with `.0`
/// when it has no decimal point.
pub(super) fn display_rounded(x: f64) -> String {
    let mut text = csv_float(x).to_string();
    if !text.contains('.') {
        text.push_str(".0");
    }
    text
}

/// `a / b` as a float cell, missing when `b` is zero.
pub(super) fn ratio(a: u64, b: u64) -> Cell {
    Cell::Float((b > 0).then(|| a as f64 / b as f64))
}
