//! The type of a column and the exact spelling of a float value: what the declarations
//! say a reader should load. A module of its own at the bottom of the layers, so that
//! the sweep plan (which types its swept fields) and the reports (which write every
//! column, `crate::report::columns` re-exports these) share one without a circle.

/// The type of a column, as a reader should load it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// A whole number, written plainly (`0`, `-3`); never missing.
    Int,
    /// A real number with a decimal point (`0.0`, `0.5`), `inf` or `-inf`, or missing
    /// (an empty cell) where it is undefined.
    Float,
    /// Text, quoted as CSV needs; empty when there is none.
    String,
}

impl Dtype {
    /// The name the docs and the schema use.
    pub fn name(self) -> &'static str {
        match self {
            Dtype::Int => "int",
            Dtype::Float => "float",
            Dtype::String => "string",
        }
    }
}

/// `x` unrounded in a float column's spelling: the shortest form that reads back as
/// `x`, with a decimal point (`1.0`), `inf`, `-inf`, or empty for NaN. For values a
/// user gave (a sweep's swept values), which are written as they were run.
pub fn exact_float(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        let mut s = (x + 0.0).to_string();
        if !s.contains('.') {
            s.push_str(".0");
        }
        s
    }
}
