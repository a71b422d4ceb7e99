//! The columns of a sweep's time series: their names and kinds, the Parquet schema, and
//! a run's or a batch's rows held in column form until they are written.

use super::DIR;
use crate::parameter::Plan;
use crate::report::columns::{self, Cell, Dtype, TimeseriesRow};
use crate::sweep::{SweepError, headers};
use parquet::basic::{LogicalType, Repetition, Type as Physical};
use parquet::data_type::ByteArray;
use parquet::schema::types::{Type, TypePtr};
use std::sync::Arc;

/// The columns of a sweep's time series: names, kinds and the Parquet schema.
#[derive(Debug)]
pub struct Schema {
    pub(super) names: Vec<String>,
    pub(super) kinds: Vec<Dtype>,
    pub(super) root: TypePtr,
}

/// How a swept field's column is typed: by all the values the sweep gives it.
fn swept_kind(values: &[&toml::Value]) -> Dtype {
    if values.iter().all(|v| v.is_integer()) {
        Dtype::Int
    } else if values.iter().all(|v| v.is_integer() || v.is_float()) {
        Dtype::Float
    } else {
        Dtype::String
    }
}

impl Schema {
    pub fn new(plan: &Plan) -> Schema {
        let names = headers(plan).series;
        // Every cell of a column is of one kind (tests::every_cell_is_of_its_column_s_kind).
        let sample = TimeseriesRow {
            period: 1,
            firm: String::new(),
            market_customers: 0,
            prospects: 0,
            tally: Default::default(),
            present: true,
            events: String::new(),
        };
        let mut kinds = vec![Dtype::Int; 4];
        // The swept columns as the CSV types them ([`Plan::typed`]); a plan not typed
        // (a test's) by its values alone.
        if plan.swept.len() == plan.paths.len() {
            kinds.extend(plan.swept.iter().copied());
        } else {
            kinds.extend((0..plan.paths.len()).map(|k| {
                let values: Vec<&toml::Value> = plan.points.iter().map(|p| &p[k]).collect();
                swept_kind(&values)
            }));
        }
        kinds.extend(
            columns::timeseries()
                .iter()
                .map(|c| (c.value)(&sample).dtype()),
        );
        assert_eq!(names.len(), kinds.len(), "a kind for every column");
        let fields = names
            .iter()
            .zip(&kinds)
            .map(|(name, kind)| {
                let b = match kind {
                    Dtype::Int => Type::primitive_type_builder(name, Physical::INT64)
                        .with_repetition(Repetition::REQUIRED),
                    Dtype::Float => Type::primitive_type_builder(name, Physical::DOUBLE)
                        .with_repetition(Repetition::OPTIONAL),
                    Dtype::String => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                        .with_repetition(Repetition::REQUIRED)
                        .with_logical_type(Some(LogicalType::String)),
                };
                Arc::new(b.build().expect("a primitive column builds"))
            })
            .collect();
        let root = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .expect("a group of primitive columns builds");
        Schema {
            names,
            kinds,
            root: Arc::new(root),
        }
    }

    /// A run's cells that come before its time series columns: run, point, replicate,
    /// seed and the swept values, as the CSV writes them (`idle[k]`: the point does not
    /// use field k, NaN), typed as their columns are.
    pub fn prefix(&self, plan: &Plan, run: &crate::parameter::Run, idle: &[bool]) -> Vec<Value> {
        let mut out: Vec<Value> = [run.index, run.point, run.replicate as u64, run.seed]
            .iter()
            .map(|&v| Value::Int(v as i64))
            .collect();
        for (k, v) in plan.points[run.point as usize].iter().enumerate() {
            let kind = self.kinds[4 + k];
            let cell = Plan::cell_at(v, kind, idle.get(k).copied().unwrap_or(false));
            out.push(match kind {
                Dtype::Int => Value::Int(cell.parse().unwrap_or_default()),
                // The CSV's text read back: the same number, NaN where idle.
                Dtype::Float => Value::Float(cell.parse().unwrap_or(f64::NAN)),
                Dtype::String => Value::Text(ByteArray::from(cell.into_bytes())),
            });
        }
        out
    }
}

/// A value of a column that is never missing.
#[derive(Debug, Clone)]
pub enum Value {
    Int(i64),
    Float(f64),
    Text(ByteArray),
}

/// One column's values as Parquet takes them: the numbers present, and a definition
/// level per row (1 present, 0 null).
#[derive(Debug)]
pub(super) enum Values {
    Int(Vec<i64>),
    Float(Vec<f64>, Vec<i16>),
    Text(Vec<ByteArray>),
}

impl Values {
    pub(super) fn new(kind: Dtype) -> Values {
        match kind {
            Dtype::Int => Values::Int(Vec::new()),
            Dtype::Float => Values::Float(Vec::new(), Vec::new()),
            Dtype::String => Values::Text(Vec::new()),
        }
    }

    pub(super) fn kind(&self) -> Dtype {
        match self {
            Values::Int(_) => Dtype::Int,
            Values::Float(..) => Dtype::Float,
            Values::Text(_) => Dtype::String,
        }
    }

    fn push(&mut self, v: &Value) -> bool {
        match (self, v) {
            (Values::Int(x), Value::Int(v)) => x.push(*v),
            (Values::Float(x, d), Value::Float(v)) => {
                x.push(*v);
                d.push(1);
            }
            (Values::Text(x), Value::Text(v)) => x.push(v.clone()),
            _ => return false,
        }
        true
    }

    fn push_cell(&mut self, cell: Cell) -> Result<(), Cell> {
        match (self, cell) {
            (Values::Int(x), Cell::Int(v)) => match i64::try_from(v) {
                Ok(v) => x.push(v),
                Err(_) => return Err(Cell::Int(v)),
            },
            (Values::Int(x), Cell::Signed(v)) => x.push(v),
            (Values::Float(x, d), Cell::Float(v)) => match v {
                Some(v) => {
                    x.push(columns::csv_float(v));
                    d.push(1);
                }
                None => d.push(0),
            },
            (Values::Text(x), Cell::Text(v)) => x.push(ByteArray::from(v.into_bytes())),
            (_, cell) => return Err(cell),
        }
        Ok(())
    }

    fn append(&mut self, other: Values) {
        match (self, other) {
            (Values::Int(x), Values::Int(y)) => x.extend(y),
            (Values::Float(x, d), Values::Float(y, e)) => {
                x.extend(y);
                d.extend(e);
            }
            (Values::Text(x), Values::Text(y)) => x.extend(y),
            (a, b) => unreachable!("a {:?} column appended to a {:?} one", b.kind(), a.kind()),
        }
    }
}

/// Rows of the time series in column form: a run's, or a batch's.
#[derive(Debug)]
pub struct Columns {
    pub(super) values: Vec<Values>,
}

impl Columns {
    pub fn new(schema: &Schema) -> Columns {
        Columns {
            values: schema.kinds.iter().map(|&k| Values::new(k)).collect(),
        }
    }

    /// Appends a row: the run's `prefix` ([`Schema::prefix`]), then the time series cells.
    pub fn push_row(
        &mut self,
        schema: &Schema,
        prefix: &[Value],
        cells: impl Iterator<Item = Cell>,
    ) -> Result<(), SweepError> {
        let mut j = 0;
        for v in prefix {
            if !self.values[j].push(v) {
                return Err(mismatch(schema, j, &format!("{v:?}")));
            }
            j += 1;
        }
        for cell in cells {
            if let Err(cell) = self.values[j].push_cell(cell) {
                return Err(mismatch(schema, j, &format!("{cell:?}")));
            }
            j += 1;
        }
        if j != self.values.len() {
            return Err(SweepError::Failed(format!(
                "{DIR}: a row of {j} cells, the sweep has {} columns",
                self.values.len()
            )));
        }
        Ok(())
    }

    pub fn append(&mut self, other: Columns) {
        for (a, b) in self.values.iter_mut().zip(other.values) {
            a.append(b);
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        match self.values.first() {
            Some(Values::Int(x)) => x.is_empty(),
            _ => true,
        }
    }
}

pub(super) fn mismatch(schema: &Schema, j: usize, what: &str) -> SweepError {
    SweepError::Failed(format!(
        "{DIR}: column {} ({:?}) was given {what}",
        schema.names[j], schema.kinds[j]
    ))
}
