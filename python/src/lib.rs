//! `loyalsim._native`: the library called from Python. The package's Python half
//! (`python/loyalsim/`) builds the frames and the friendly signatures; this half reads
//! scenarios, simulates and writes exactly as the command does, through
//! `loyalsim::cli::embed`, so nothing of the model or of the checks is written twice.
//!
//! Two rules shape it:
//! - **The interpreter stays responsive.** The work runs on a thread of its own with the
//!   GIL released; the calling thread waits on a channel a tenth of a second at a time,
//!   in between checking for signals (a notebook's Ctrl-C) and calling the progress
//!   callback, whose answer a sweep waits for. Either raising stops the work at its
//!   next check (a run before each period, a sweep after the batch of runs under way,
//!   on disk) and the exception is raised once the work has stopped.
//! - **Tables cross as buffers.** A column of integers or doubles is handed over as the
//!   bytes of its values (little-endian, as Arrow has them) and, for doubles, an Arrow
//!   validity bitmap, which pyarrow wraps without parsing; strings as a list.

use loyalsim::cli::embed::{self, Input, Request, SweepRequest};
use loyalsim::error::Error;
use loyalsim::parameter::TimeseriesFormat;
use loyalsim::report::frame::{Frame, Values};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

create_exception!(
    loyalsim,
    ScenarioError,
    PyValueError,
    "A scenario, an override or an option the command would refuse with exit code 2; \
     the message is the command's one line."
);

/// The Python exception of a library error: the command's exit-2 errors (bad input) as
/// [`ScenarioError`], the others (writing, a failed sweep) as `RuntimeError`; the message
/// is the line the command prints after `error: `.
fn raise(e: Error) -> PyErr {
    if e.exit_code() == 2 {
        ScenarioError::new_err(e.to_string())
    } else {
        PyRuntimeError::new_err(e.to_string())
    }
}

/// What the work thread tells the waiting one.
enum Message {
    Started {
        runs: u64,
        warnings: Vec<String>,
    },
    /// After a batch; the work waits for the answer, whether to go on.
    Progress {
        done: u64,
        runs: u64,
        go_on: Sender<bool>,
    },
}

/// Runs `work` on a thread of its own with the GIL released, handing its messages to
/// `on` on this thread; a signal or an error of `on` sets `stop`, and is raised once
/// `work` has returned.
fn drive<T: Send>(
    py: Python<'_>,
    stop: &AtomicBool,
    work: impl FnOnce(Sender<Message>) -> T + Send,
    mut on: impl FnMut(Message) -> PyResult<()>,
) -> PyResult<T> {
    std::thread::scope(|scope| {
        let (tx, mut rx) = mpsc::channel();
        let handle = scope.spawn(move || work(tx));
        let mut failure: Option<PyErr> = None;
        loop {
            let (got, back) = py.detach(move || {
                let got = rx.recv_timeout(Duration::from_millis(100));
                (got, rx)
            });
            rx = back;
            let outcome = match got {
                Ok(Message::Progress { done, runs, go_on }) => {
                    let outcome = match failure {
                        None => on(Message::Progress {
                            done,
                            runs,
                            go_on: go_on.clone(),
                        }),
                        Some(_) => Ok(()),
                    };
                    // The work waits for this answer: a raising callback stops it
                    // before the next batch, whatever the timing.
                    let _ = go_on.send(outcome.is_ok() && failure.is_none());
                    outcome
                }
                Ok(message) if failure.is_none() => on(message),
                Ok(_) => Ok(()),
                Err(RecvTimeoutError::Timeout) if failure.is_none() => py.check_signals(),
                Err(RecvTimeoutError::Timeout) => Ok(()),
                Err(RecvTimeoutError::Disconnected) => break,
            };
            if let Err(e) = outcome {
                stop.store(true, Ordering::Relaxed);
                failure = Some(e);
            }
        }
        let joined = py.detach(move || handle.join());
        match (joined, failure) {
            (_, Some(e)) => Err(e),
            (Ok(t), None) => Ok(t),
            (Err(panic), None) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(PyRuntimeError::new_err(format!(
                    "loyalsim stopped on a bug (please report it): {what}"
                )))
            }
        }
    })
}

/// A scenario given from Python: `("file", path)`, `("text", toml, name)`,
/// `("table", dict)` or `("showcase",)`.
fn input(scenario: &Bound<'_, PyTuple>) -> PyResult<Input> {
    let kind: String = scenario.get_item(0)?.extract()?;
    Ok(match kind.as_str() {
        "showcase" => Input::Showcase,
        "file" => Input::File(scenario.get_item(1)?.extract::<PathBuf>()?),
        "text" => Input::Text {
            text: scenario.get_item(1)?.extract()?,
            name: scenario.get_item(2)?.extract()?,
        },
        "table" => {
            let table = match toml_value(&scenario.get_item(1)?, "scenario")? {
                toml::Value::Table(t) => t,
                _ => return Err(PyTypeError::new_err("a scenario dict is a table")),
            };
            let text = toml::to_string(&table).map_err(|e| {
                ScenarioError::new_err(format!("scenario (dict): cannot be written as TOML: {e}"))
            })?;
            Input::Text {
                text,
                name: "scenario (dict)".to_string(),
            }
        }
        other => return Err(PyValueError::new_err(format!("unknown input kind {other}"))),
    })
}

/// A Python value of a scenario dict as TOML: dicts as tables, lists and tuples as
/// arrays, `bool`, `int`, `float` (infinity included) and `str`; `at` names it in the
/// message of anything else.
fn toml_value(value: &Bound<'_, PyAny>, at: &str) -> PyResult<toml::Value> {
    let refuse = |what: &str| {
        ScenarioError::new_err(format!(
            "scenario (dict): {at} = {what}: expected a table, an array, a boolean, a number or a string"
        ))
    };
    if value.is_instance_of::<PyBool>() {
        Ok(toml::Value::Boolean(value.extract()?))
    } else if value.is_instance_of::<PyInt>() {
        let i: i64 = value
            .extract()
            .map_err(|_| refuse(&value.repr().map_or("?".into(), |r| r.to_string())))?;
        Ok(toml::Value::Integer(i))
    } else if value.is_instance_of::<PyFloat>() {
        Ok(toml::Value::Float(value.extract()?))
    } else if value.is_instance_of::<PyString>() {
        Ok(toml::Value::String(value.extract()?))
    } else if let Ok(dict) = value.cast::<PyDict>() {
        let mut table = toml::Table::new();
        for (k, v) in dict.iter() {
            let key: String = k.extract().map_err(|_| {
                refuse(&format!(
                    "a key {}",
                    k.repr().map_or("?".into(), |r| r.to_string())
                ))
            })?;
            let path = if at == "scenario" {
                key.clone()
            } else {
                format!("{at}.{key}")
            };
            table.insert(key, toml_value(&v, &path)?);
        }
        Ok(toml::Value::Table(table))
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, v) in value.try_iter()?.enumerate() {
            items.push(toml_value(&v?, &format!("{at}.{i}"))?);
        }
        Ok(toml::Value::Array(items))
    } else {
        Err(refuse(
            &value
                .get_type()
                .name()
                .map_or("?".into(), |n| n.to_string()),
        ))
    }
}

/// A frame for the Python half: `(name, [(column, meaning, dtype, data, validity)])`,
/// `data` the values' bytes (or a list of strings), `validity` an Arrow bitmap of the
/// present doubles, or `None` when all are.
fn frame_out<'py>(py: Python<'py>, frame: &Frame) -> PyResult<Bound<'py, PyTuple>> {
    let columns = PyList::empty(py);
    for c in &frame.columns {
        let (data, validity): (Bound<'py, PyAny>, Option<Bound<'py, PyBytes>>) = match &c.values {
            Values::Int(v) => {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                (PyBytes::new(py, &bytes).into_any(), None)
            }
            Values::Float(v, present) => {
                let bytes: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
                let validity = (!present.iter().all(|&p| p)).then(|| {
                    let mut bitmap = vec![0u8; present.len().div_ceil(8)];
                    for (i, _) in present.iter().enumerate().filter(|(_, p)| **p) {
                        bitmap[i / 8] |= 1 << (i % 8);
                    }
                    PyBytes::new(py, &bitmap)
                });
                (PyBytes::new(py, &bytes).into_any(), validity)
            }
            Values::Text(v) => (PyList::new(py, v)?.into_any(), None),
        };
        columns.append((c.name, c.meaning, c.dtype.name(), data, validity))?;
    }
    PyTuple::new(
        py,
        [frame.name.into_pyobject(py)?.into_any(), columns.into_any()],
    )
}

fn request(
    scenario: &Bound<'_, PyTuple>,
    set: Vec<String>,
    seed: Option<u64>,
) -> PyResult<Request> {
    Ok(Request {
        input: input(scenario)?,
        set,
        seed,
    })
}

/// One run: reads, simulates and, when `out` is given, writes its folder as
/// `loyalsim run --out` does. Returns a dict of `scenario` (the scenario as run, TOML),
/// `source`, `warnings`, `summary` (summary.json's text), `frames`, `files` (written,
/// or `None`) and `elapsed` (seconds).
#[pyfunction]
#[pyo3(signature = (scenario, set, seed=None, threads=None, out=None, charts=true))]
fn run<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyTuple>,
    set: Vec<String>,
    seed: Option<u64>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    charts: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let request = request(scenario, set, seed)?;
    let loaded = embed::load_run(&request).map_err(raise)?;
    let stop = AtomicBool::new(false);
    let ran = drive(
        py,
        &stop,
        |_tx| embed::simulate(&loaded, threads, &|| stop.load(Ordering::Relaxed)),
        |_| Ok(()),
    )?
    .map_err(raise)?;
    let Some(ran) = ran else {
        return Err(PyRuntimeError::new_err("the run was stopped"));
    };
    let report = embed::report(&loaded, &ran);
    let files = match &out {
        Some(dir) => {
            let report = &report;
            Some(
                py.detach(move || embed::write_run(report, dir, charts))
                    .map_err(raise)?,
            )
        }
        None => None,
    };
    let frames = PyList::empty(py);
    for frame in report.frames() {
        frames.append(frame_out(py, &frame)?)?;
    }
    let scenario_toml = toml::to_string(&loaded.scenario.to_table())
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    let result = PyDict::new(py);
    result.set_item("scenario", scenario_toml)?;
    result.set_item("source", &loaded.source)?;
    result.set_item("warnings", &loaded.warnings)?;
    result.set_item("summary", embed::summary_json(&report))?;
    result.set_item("frames", frames)?;
    result.set_item("files", files)?;
    result.set_item("elapsed", ran.elapsed.as_secs_f64())?;
    Ok(result)
}

/// A whole sweep into the folder `out`, as `loyalsim sweep --out` runs it (resuming a
/// folder an earlier call left unfinished). `started(runs, warnings)` is called before
/// the first run, `progress(done, runs)` after each batch; either may raise to stop.
/// Returns a dict of `dir`, `warnings`, `summary_markdown`, `runs`, `resumed_from`,
/// `files` (`{file: [(column, dtype, meaning)]}`), `timeseries` (`csv`, `parquet` or
/// `none`) and `charts`.
#[pyfunction]
#[pyo3(signature = (scenario, set, out, seed=None, threads=None, timeseries=None, charts=true, started=None, progress=None))]
#[allow(clippy::too_many_arguments)]
fn sweep<'py>(
    py: Python<'py>,
    scenario: &Bound<'py, PyTuple>,
    set: Vec<String>,
    out: PathBuf,
    seed: Option<u64>,
    threads: Option<usize>,
    timeseries: Option<String>,
    charts: bool,
    started: Option<Bound<'py, PyAny>>,
    progress: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let timeseries = match timeseries.as_deref() {
        None => None,
        Some("csv") => Some(TimeseriesFormat::Csv),
        Some("parquet") => Some(TimeseriesFormat::Parquet),
        Some("none") => Some(TimeseriesFormat::None),
        Some(other) => {
            return Err(ScenarioError::new_err(format!(
                "timeseries = {other:?}: expected \"csv\", \"parquet\" or \"none\""
            )));
        }
    };
    let asked = SweepRequest {
        request: request(scenario, set, seed)?,
        out,
        threads,
        timeseries,
        charts,
    };
    let stop = AtomicBool::new(false);
    let swept = drive(
        py,
        &stop,
        |tx| {
            let progress_tx = tx.clone();
            let stop = &stop;
            let progress = move |done: u64, runs: u64| {
                let (go_on, answer) = mpsc::channel();
                let sent = progress_tx.send(Message::Progress { done, runs, go_on });
                let go_on = sent.is_ok() && answer.recv().unwrap_or(false);
                if go_on && !stop.load(Ordering::Relaxed) {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            };
            embed::sweep(
                &asked,
                &mut |runs, warnings| {
                    let _ = tx.send(Message::Started {
                        runs,
                        warnings: warnings.to_vec(),
                    });
                },
                &progress,
            )
        },
        |message| match message {
            Message::Started { runs, warnings } => match &started {
                Some(f) => f.call1((runs, warnings)).map(drop),
                None => Ok(()),
            },
            Message::Progress { done, runs, .. } => match &progress {
                Some(f) => f.call1((done, runs)).map(drop),
                None => Ok(()),
            },
        },
    )?
    .map_err(raise)?;
    let files = PyDict::new(py);
    for (file, columns) in &swept.files {
        let described: Vec<(String, &str, String)> = columns
            .iter()
            .map(|c| (c.name.clone(), c.dtype.name(), c.meaning.clone()))
            .collect();
        files.set_item(file, described)?;
    }
    let result = PyDict::new(py);
    result.set_item("dir", &swept.dir)?;
    result.set_item("warnings", &swept.warnings)?;
    result.set_item("summary_markdown", &swept.summary_markdown)?;
    result.set_item("runs", swept.runs)?;
    result.set_item("resumed_from", swept.resumed_from)?;
    result.set_item("files", files)?;
    result.set_item("timeseries", swept.timeseries.word())?;
    result.set_item("charts", &swept.charts.files)?;
    Ok(result)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add("ScenarioError", m.py().get_type::<ScenarioError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
