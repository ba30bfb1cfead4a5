//! Tables for notebooks: `--per-game FILE` (one row per game) and `--per-turn FILE` (one row per
//! game and turn), written as games finish, in seed order, to a temporary file that replaces
//! `FILE` when the run ends (see [`crate::output::AtomicWriter`]).
//!
//! The format follows the file name: `.csv` (ids quoted as CSV requires), `.json` (one array of
//! objects, one per line) or `.jsonl` / `.ndjson` (one object per line). Column names are the
//! same in every format; a sweep adds one column per `--vary` path first.

use std::io::Write as _;
use std::path::Path;

use crate::output::{AtomicWriter, WriteError};
use crate::scenario::Scenario;
use crate::sim::GameState;

/// How a table file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated values with a header row.
    Csv,
    /// One JSON array of objects.
    Json,
    /// One JSON object per line.
    JsonLines,
}

impl TableFormat {
    /// The format a file name asks for.
    pub fn of(path: &Path, flag: &str) -> Result<TableFormat, String> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(TableFormat::Csv),
            Some("json") => Ok(TableFormat::Json),
            Some("jsonl" | "ndjson") => Ok(TableFormat::JsonLines),
            _ => Err(format!(
                "error: {flag} {}: the file name must end in .csv, .json or .jsonl to say which format to write\n  = help: e.g. {flag} games.csv",
                path.display()
            )),
        }
    }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// A whole number.
    Int(i64),
    /// A whole number that may not fit `i64` (seeds).
    Unsigned(u64),
    /// Text (ids).
    Text(String),
    /// Nothing (e.g. a threshold never crossed).
    Empty,
}

/// A table being written row by row.
pub struct TableWriter {
    format: TableFormat,
    columns: Vec<String>,
    csv: Option<csv::Writer<AtomicWriter>>,
    plain: Option<AtomicWriter>,
    rows: u64,
}

impl TableWriter {
    /// Starts a table with these columns (the CSV header is written at once).
    pub fn create(path: &Path, format: TableFormat, columns: Vec<String>) -> Result<Self, String> {
        let file = AtomicWriter::create(path).map_err(|e| e.to_string())?;
        let mut w = TableWriter {
            format,
            columns,
            csv: None,
            plain: None,
            rows: 0,
        };
        match format {
            TableFormat::Csv => {
                let mut csv = csv::Writer::from_writer(file);
                csv.write_record(&w.columns)
                    .map_err(|e| format!("error: cannot write {}: {e}", path.display()))?;
                w.csv = Some(csv);
            }
            TableFormat::Json | TableFormat::JsonLines => w.plain = Some(file),
        }
        Ok(w)
    }

    /// Appends a row (as many cells as columns).
    pub fn row(&mut self, cells: &[Cell]) -> Result<(), String> {
        let result = match (&mut self.csv, &mut self.plain) {
            (Some(csv), _) => {
                let fields = cells.iter().map(|c| match c {
                    Cell::Int(n) => n.to_string(),
                    Cell::Unsigned(n) => n.to_string(),
                    Cell::Text(t) => t.clone(),
                    Cell::Empty => String::new(),
                });
                csv.write_record(fields)
                    .map_err(|e| csv.get_ref().error(&std::io::Error::other(e.to_string())))
            }
            (None, Some(file)) => {
                let mut line = String::with_capacity(64 + 16 * cells.len());
                line.push_str(match (self.format, self.rows) {
                    (TableFormat::Json, 0) => "[\n{",
                    (TableFormat::Json, _) => ",\n{",
                    _ => "{",
                });
                for (i, (name, cell)) in self.columns.iter().zip(cells).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push_str(&json_string(name));
                    line.push(':');
                    match cell {
                        Cell::Int(n) => line.push_str(&n.to_string()),
                        Cell::Unsigned(n) => line.push_str(&n.to_string()),
                        Cell::Text(t) => line.push_str(&json_string(t)),
                        Cell::Empty => line.push_str("null"),
                    }
                }
                line.push('}');
                if self.format == TableFormat::JsonLines {
                    line.push('\n');
                }
                file.write_all(line.as_bytes()).map_err(|e| file.error(&e))
            }
            (None, None) => return Ok(()),
        };
        self.rows += 1;
        result.map_err(|e: WriteError| e.to_string())
    }

    /// Ends the table and puts the file in place.
    pub fn finish(mut self) -> Result<(), String> {
        let file = match (self.csv.take(), self.plain.take()) {
            (Some(csv), _) => csv
                .into_inner()
                .map_err(|e| format!("error: cannot write a table: {}", e.error()))?,
            (None, Some(mut file)) => {
                let end: &[u8] = match (self.format, self.rows) {
                    (TableFormat::Json, 0) => b"[]\n",
                    (TableFormat::Json, _) => b"\n]\n",
                    _ => b"",
                };
                file.write_all(end)
                    .map_err(|e| file.error(&e).to_string())?;
                file
            }
            (None, None) => return Ok(()),
        };
        file.commit().map_err(|e| e.to_string())
    }
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// What the tables need of one finished game (taken from its final state while the worker
/// still holds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameRecord {
    /// Ending position.
    pub ending: Option<usize>,
    /// Crisis rung at the end of each turn.
    pub crisis: Vec<usize>,
    /// Each actor's rung at the end of each turn: `rungs[actor][turn − 1]`.
    pub rungs: Vec<Vec<usize>>,
    /// Turn each threshold was first crossed.
    pub thresholds: Vec<Option<u32>>,
    /// Orders executed per turn (turn − 1).
    pub actions: Vec<u32>,
    /// Incidents per turn (turn − 1).
    pub incidents: Vec<u32>,
    /// Incidents whose victim blames the wrong actor.
    pub misattributed: u32,
    /// Red-line crossings, enforcements and unanswered crossings.
    pub red_lines: (u32, u32, u32),
}

impl GameRecord {
    /// The record of a finished game.
    pub fn of(st: &GameState) -> Self {
        let turns = st.crisis_history.len();
        let mut actions = vec![0u32; turns];
        for h in &st.history {
            if let Some(n) = (h.turn as usize)
                .checked_sub(1)
                .and_then(|t| actions.get_mut(t))
            {
                *n += 1;
            }
        }
        let mut incidents = vec![0u32; turns];
        for i in &st.incidents {
            if let Some(n) = (i.turn as usize)
                .checked_sub(1)
                .and_then(|t| incidents.get_mut(t))
            {
                *n += 1;
            }
        }
        GameRecord {
            ending: st.ending.as_ref().map(|e| e.ending),
            crisis: st.crisis_history.clone(),
            rungs: st.actors.iter().map(|a| a.rung_history.clone()).collect(),
            thresholds: st.thresholds_crossed.clone(),
            actions,
            incidents,
            misattributed: st.incidents.iter().filter(|i| i.misattributed()).count() as u32,
            red_lines: st.red_lines.iter().fold((0, 0, 0), |(c, e, u), r| {
                (c + r.crossings.len() as u32, e + r.enforced, u + r.ignored)
            }),
        }
    }
}

/// The per-game and per-turn tables of a run.
pub struct Tables {
    per_game: Option<TableWriter>,
    per_turn: Option<TableWriter>,
    levels: Vec<i32>,
    endings: Vec<String>,
}

impl Tables {
    /// Opens the tables asked for; `vary` are the sweep's paths (their columns come first).
    pub fn create(
        sc: &Scenario,
        vary: &[String],
        per_game: Option<&Path>,
        per_turn: Option<&Path>,
    ) -> Result<Self, String> {
        let actor_ids: Vec<&str> = sc.actors.iter().map(|a| a.id.as_str()).collect();
        let mut game_cols: Vec<String> = vary.to_vec();
        game_cols.extend(
            [
                "seed",
                "ending",
                "turns",
                "final_crisis",
                "peak_crisis",
                "actions",
                "incidents",
                "misattributed",
                "red_line_crossings",
                "red_lines_enforced",
                "red_lines_unanswered",
            ]
            .map(String::from),
        );
        game_cols.extend(
            sc.meta
                .ladder
                .thresholds
                .iter()
                .map(|t| format!("first_turn:{}", t.id)),
        );
        game_cols.extend(actor_ids.iter().map(|a| format!("final_level:{a}")));
        let mut turn_cols: Vec<String> = vary.to_vec();
        turn_cols.extend(["seed", "turn", "crisis", "actions", "incidents"].map(String::from));
        turn_cols.extend(actor_ids.iter().map(|a| format!("level:{a}")));
        let open = |path: Option<&Path>, flag: &str, cols: Vec<String>| {
            path.map(|p| TableWriter::create(p, TableFormat::of(p, flag)?, cols))
                .transpose()
        };
        Ok(Tables {
            per_game: open(per_game, "--per-game", game_cols)?,
            per_turn: open(per_turn, "--per-turn", turn_cols)?,
            levels: sc.meta.ladder.rungs.iter().map(|r| r.level).collect(),
            endings: sc.endings.iter().map(|e| e.id.clone()).collect(),
        })
    }

    /// Checks the file names' formats without opening anything.
    pub fn check_names(per_game: Option<&Path>, per_turn: Option<&Path>) -> Result<(), String> {
        if let Some(p) = per_game {
            TableFormat::of(p, "--per-game")?;
        }
        if let Some(p) = per_turn {
            TableFormat::of(p, "--per-turn")?;
        }
        Ok(())
    }

    fn level(&self, rung: usize) -> i64 {
        i64::from(self.levels.get(rung).copied().unwrap_or(0))
    }

    /// Writes one game's rows; `point` are the sweep's values.
    pub fn game(
        &mut self,
        point: &[(String, i64)],
        seed: u64,
        g: &GameRecord,
    ) -> Result<(), String> {
        let lead: Vec<Cell> = point.iter().map(|(_, v)| Cell::Int(*v)).collect();
        let seed_cell = Cell::Unsigned(seed);
        if self.per_game.is_some() {
            let mut cells = lead.clone();
            cells.push(seed_cell.clone());
            cells.push(
                g.ending
                    .and_then(|e| self.endings.get(e))
                    .map_or(Cell::Empty, |id| Cell::Text(id.clone())),
            );
            cells.push(Cell::Int(g.crisis.len() as i64));
            cells.push(
                g.crisis
                    .last()
                    .map_or(Cell::Empty, |&r| Cell::Int(self.level(r))),
            );
            cells.push(
                g.crisis
                    .iter()
                    .max()
                    .map_or(Cell::Empty, |&r| Cell::Int(self.level(r))),
            );
            cells.push(Cell::Int(g.actions.iter().map(|&n| i64::from(n)).sum()));
            cells.push(Cell::Int(g.incidents.iter().map(|&n| i64::from(n)).sum()));
            cells.push(Cell::Int(i64::from(g.misattributed)));
            cells.push(Cell::Int(i64::from(g.red_lines.0)));
            cells.push(Cell::Int(i64::from(g.red_lines.1)));
            cells.push(Cell::Int(i64::from(g.red_lines.2)));
            for t in &g.thresholds {
                cells.push(t.map_or(Cell::Empty, |t| Cell::Int(i64::from(t))));
            }
            for rungs in &g.rungs {
                cells.push(
                    rungs
                        .last()
                        .map_or(Cell::Empty, |&r| Cell::Int(self.level(r))),
                );
            }
            if let Some(w) = self.per_game.as_mut() {
                w.row(&cells)?;
            }
        }
        if self.per_turn.is_some() {
            for (t, &crisis) in g.crisis.iter().enumerate() {
                let mut cells = lead.clone();
                cells.push(seed_cell.clone());
                cells.push(Cell::Int(t as i64 + 1));
                cells.push(Cell::Int(self.level(crisis)));
                cells.push(Cell::Int(i64::from(g.actions.get(t).copied().unwrap_or(0))));
                cells.push(Cell::Int(i64::from(
                    g.incidents.get(t).copied().unwrap_or(0),
                )));
                for rungs in &g.rungs {
                    cells.push(
                        rungs
                            .get(t)
                            .map_or(Cell::Empty, |&r| Cell::Int(self.level(r))),
                    );
                }
                if let Some(w) = self.per_turn.as_mut() {
                    w.row(&cells)?;
                }
            }
        }
        Ok(())
    }

    /// Whether any table is being written.
    pub fn any(&self) -> bool {
        self.per_game.is_some() || self.per_turn.is_some()
    }

    /// Ends every table and puts the files in place.
    pub fn finish(self) -> Result<(), String> {
        if let Some(w) = self.per_game {
            w.finish()?;
        }
        if let Some(w) = self.per_turn {
            w.finish()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("grayzone-tables-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[test]
    fn cells_are_quoted_and_escaped_in_every_format() {
        let cols = vec!["id".to_string(), "n".to_string()];
        let row = [Cell::Text("a,\"b\"\nc".into()), Cell::Int(-3)];
        let csv_path = temp("t.csv");
        let mut w = TableWriter::create(&csv_path, TableFormat::Csv, cols.clone()).unwrap();
        w.row(&row).unwrap();
        w.row(&[Cell::Empty, Cell::Unsigned(u64::MAX)]).unwrap();
        w.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(&csv_path).unwrap(),
            "id,n\n\"a,\"\"b\"\"\nc\",-3\n,18446744073709551615\n"
        );
        let json_path = temp("t.json");
        let mut w = TableWriter::create(&json_path, TableFormat::Json, cols.clone()).unwrap();
        w.row(&row).unwrap();
        w.row(&[Cell::Empty, Cell::Int(1)]).unwrap();
        w.finish().unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
        assert_eq!(v[0]["id"], "a,\"b\"\nc");
        assert_eq!(v[0]["n"], -3);
        assert!(v[1]["id"].is_null());
        let empty = temp("e.json");
        TableWriter::create(&empty, TableFormat::Json, cols)
            .unwrap()
            .finish()
            .unwrap();
        assert_eq!(std::fs::read_to_string(&empty).unwrap(), "[]\n");
        assert_eq!(
            TableFormat::of(Path::new("x.NDJSON"), "--per-game"),
            Ok(TableFormat::JsonLines)
        );
        for p in [csv_path, json_path, empty] {
            let _ = std::fs::remove_file(p);
        }
    }
}
