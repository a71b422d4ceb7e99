//! Drawing a chart to files: PNG drawn larger and averaged down (the bitmap backend does
//! not smooth lines), SVG with its text as outlines, each written whole; and what that
//! costs in memory, for the callers that check before drawing.

use super::{Chart, ChartError, ChartOptions, Format, Size, style, svg_text};
use plotters::prelude::*;
use std::path::Path;

/// Draws `chart` into the folder `out` as PNG and/or SVG; returns the file names.
pub fn render<C: Chart>(
    chart: &C,
    out: &Path,
    options: &ChartOptions,
) -> Result<Vec<String>, ChartError> {
    let mut files = Vec::new();
    let size = options.size;
    // Checked here too, not only where --size is parsed: the drawing buffer of a PNG
    // grows with the pixels, and a library caller may ask for any size.
    let sides = 1..=Size::MAX_SIDE;
    let dpi = 0.0..=Size::MAX_DPI;
    if !sides.contains(&size.width)
        || !sides.contains(&size.height)
        || !dpi.contains(&size.dpi)
        || size.dpi == 0.0
    {
        return Err(ChartError::Input(format!(
            "chart size {}x{} at {} dpi: expected 1 to {} pixels a side, above 0 to {} dpi",
            size.width,
            size.height,
            size.dpi,
            Size::MAX_SIDE,
            Size::MAX_DPI
        )));
    }
    let stem = chart.file_stem();
    if matches!(options.format, Format::Png | Format::Both) {
        let name = format!("{stem}.png");
        write_file(out, &name, &png(chart, size)?)?;
        files.push(name);
    }
    if matches!(options.format, Format::Svg | Format::Both) {
        let name = format!("{stem}.svg");
        write_file(out, &name, svg(chart, size)?.as_bytes())?;
        files.push(name);
    }
    Ok(files)
}

fn draw_error<C: Chart>(e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw {
        chart: C::NAME,
        message: e.to_string(),
    }
}

/// Bytes the charts hold per row of `timeseries.csv` (a period and a firm) while they
/// are drawn: the table read back, its rows, the series. Measured at about 0.9 kB (a
/// run of 200,000 periods took 175 MB more with its charts than without).
pub const BYTES_PER_ROW: u64 = 1024;

/// Bytes the charts hold per byte of `timeseries.csv` (about 100 bytes a row).
pub const BYTES_PER_TABLE_BYTE: u64 = 10;

/// About how many bytes drawing the charts of a run with `rows` rows of `timeseries.csv`
/// takes at `size`: the tables read back and the drawing buffer of a PNG.
pub fn memory_estimate(rows: u64, size: Size) -> u64 {
    let k = supersample(size) as u64;
    let buffer = (size.width as u64 * k) * (size.height as u64 * k) * 3;
    rows.saturating_mul(BYTES_PER_ROW).saturating_add(buffer)
}

/// Pixels drawn per pixel written, in each direction: the bitmap backend does not
/// smooth lines, so charts are drawn this much larger and averaged down. Three for
/// screen and print sizes; less for very large figures, whose drawing buffer would
/// otherwise take gigabytes (and whose lines are smoother by their size alone).
fn supersample(size: Size) -> u32 {
    match size.width as u64 * size.height as u64 {
        0..=5_000_000 => 3,
        5_000_001..=12_000_000 => 2,
        _ => 1,
    }
}

/// The chart as PNG bytes: RGB, with the pixel density of `size` so that word
/// processors place a print figure at its size in inches.
pub(super) fn png<C: Chart>(chart: &C, size: Size) -> Result<Vec<u8>, ChartError> {
    let (w, h) = (size.width, size.height);
    let k = supersample(size);
    let large = Size {
        width: w * k,
        height: h * k,
        dpi: size.dpi * k as f64,
    };
    let mut drawn = vec![255u8; large.width as usize * large.height as usize * 3];
    {
        let root =
            BitMapBackend::with_buffer(&mut drawn, (large.width, large.height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error::<C>)?;
        chart
            .draw(&root, &style::Style::new(large, false))
            .map_err(draw_error::<C>)?;
        root.present().map_err(draw_error::<C>)?;
    }
    let pixels = downsample(&drawn, w as usize, h as usize, k as usize);
    let mut bytes = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut bytes, w, h);
    encoder.set_color(::png::ColorType::Rgb);
    encoder.set_depth(::png::BitDepth::Eight);
    let per_metre = (size.dpi / 0.0254).round() as u32;
    encoder.set_pixel_dims(Some(::png::PixelDimensions {
        xppu: per_metre,
        yppu: per_metre,
        unit: ::png::Unit::Meter,
    }));
    let mut writer = encoder.write_header().map_err(draw_error::<C>)?;
    writer.write_image_data(&pixels).map_err(draw_error::<C>)?;
    writer.finish().map_err(draw_error::<C>)?;
    Ok(bytes)
}

/// Averages each `k` × `k` block of an RGB image `k` times the size of `w` × `h`.
/// `while` loops over plain indices: this also runs in unoptimised test builds, where
/// iterator adapters cost a call each.
pub(super) fn downsample(large: &[u8], w: usize, h: usize, k: usize) -> Vec<u8> {
    let stride = w * k * 3;
    let n = (k * k) as u32;
    let mut out = vec![0u8; w * h * 3];
    let mut sums = vec![0u32; w * 3];
    let mut y = 0;
    while y < h {
        sums.fill(0);
        let mut i = y * k * stride;
        let end = i + k * stride;
        let mut j = 0;
        while i < end {
            // Columns k·x .. k·x + k − 1 of a source row add into output column x.
            sums[j] += large[i] as u32;
            sums[j + 1] += large[i + 1] as u32;
            sums[j + 2] += large[i + 2] as u32;
            i += 3;
            if i.is_multiple_of(k * 3) {
                j += 3;
                if j == w * 3 {
                    j = 0;
                }
            }
        }
        let o = y * w * 3;
        let mut c = 0;
        while c < w * 3 {
            out[o + c] = ((sums[c] + n / 2) / n) as u8;
            c += 1;
        }
        y += 1;
    }
    out
}

/// The chart as SVG, its text as outlines of the embedded font (`svg_text.rs`).
pub(super) fn svg<C: Chart>(chart: &C, size: Size) -> Result<String, ChartError> {
    let mut text = String::new();
    let (drawn, placed) = svg_text::collect(|| -> Result<(), ChartError> {
        let root =
            SVGBackend::with_string(&mut text, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error::<C>)?;
        chart
            .draw(&root, &style::Style::new(size, true))
            .map_err(draw_error::<C>)?;
        root.present().map_err(draw_error::<C>)?;
        Ok(())
    });
    drawn?;
    svg_text::outline(&text, &placed).map_err(draw_error::<C>)
}

/// Writes a file whole: into a hidden temporary name, then renamed. The name is the
/// same for every process, so one left by a killed `plot` is overwritten by the next:
/// only one command at a time writes into a folder (`report::lock`).
fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), ChartError> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.partial"));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|source| ChartError::Write {
        path: path.display().to_string(),
        source,
    })
}

pub(super) fn create_dir(dir: &Path) -> Result<(), ChartError> {
    std::fs::create_dir_all(dir).map_err(|source| ChartError::Write {
        path: dir.display().to_string(),
        source,
    })
}
