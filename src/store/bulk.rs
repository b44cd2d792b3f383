//! Many rows in few statements: a directory of 250,000 sites is written as multi-row
//! `INSERT … VALUES (…), (…), …` statements inside the write's one transaction, instead of
//! one statement per row. Each statement costs a round trip to the database (and through
//! sqlx's driver) whatever its size, so a national upload spends its time in the database
//! itself, not in the trips. The rows, and what the store holds after, are the same as one
//! statement per row would give.

use super::{Backend, Store};
use crate::error::Result;
use sqlx::{Any, Transaction};

/// Rows per statement at most. With the sites' nine columns a statement binds 9,000
/// values: below SQLite's limit of 32,766 bound values and PostgreSQL's 65,535.
pub(super) const STATEMENT_ROWS: usize = 1000;

/// Bound values per statement at most, whatever the width of the rows.
const MAX_VALUES: usize = 30_000;

/// One value of a row to write.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    /// Text, or NULL.
    Text(Option<String>),
    /// A number.
    Real(f64),
    /// An integer.
    Int(i64),
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Self::Text(Some(s))
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Self::Text(Some(s.to_owned()))
    }
}

impl From<Option<&str>> for Value {
    fn from(s: Option<&str>) -> Self {
        Self::Text(s.map(str::to_owned))
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Self {
        Self::Text(s)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Self::Real(x)
    }
}

impl From<i64> for Value {
    fn from(x: i64) -> Self {
        Self::Int(x)
    }
}

/// A multi-row statement: `{head} VALUES ($1, …), (…) {tail}`.
pub(super) struct Statement<'a> {
    /// `INSERT INTO t (a, b, c)`.
    pub head: &'a str,
    /// Values per row.
    pub width: usize,
    /// What follows the values (`ON CONFLICT …`), or "".
    pub tail: &'a str,
}

impl Statement<'_> {
    /// The statement for `rows` rows. PostgreSQL numbers its placeholders (`$1, $2, …`);
    /// on SQLite they are plain `?`: sqlx finds each numbered one by its name, which
    /// SQLite looks up in a list, so numbered placeholders cost the square of their
    /// number (a statement of 9,000 took longer than 9,000 statements of one row).
    fn sql(&self, rows: usize, backend: Backend) -> String {
        let mut sql =
            String::with_capacity(self.head.len() + self.tail.len() + rows * self.width * 7);
        sql.push_str(self.head);
        sql.push_str(" VALUES ");
        let mut n = 0;
        for r in 0..rows {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..self.width {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                match backend {
                    Backend::Postgres => {
                        sql.push('$');
                        sql.push_str(&n.to_string());
                    }
                    Backend::Sqlite => sql.push('?'),
                }
            }
            sql.push(')');
        }
        if !self.tail.is_empty() {
            sql.push(' ');
            sql.push_str(self.tail);
        }
        sql
    }
}

impl Store {
    /// Rows per multi-row statement for rows of `width` values.
    pub(super) fn rows_per_statement(&self, width: usize) -> usize {
        self.statement_rows.min(MAX_VALUES / width.max(1)).max(1)
    }
}

/// Writes `rows` (each of `statement.width` values) with `per_statement` rows a statement,
/// in order: a later row meets what an earlier one wrote exactly as with one statement
/// per row, except that one statement must not name a key twice (PostgreSQL refuses an
/// `ON CONFLICT DO UPDATE` that meets its own row): callers pass distinct keys.
///
/// The rows are made one statement's worth at a time (a national directory's rows would
/// take hundreds of MB at once); `rows` returns the count written.
pub(super) async fn write(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    statement: &Statement<'_>,
    per_statement: usize,
    rows: impl Iterator<Item = Result<Vec<Value>>>,
) -> Result<usize> {
    let per_statement = per_statement.max(1);
    let full = statement.sql(per_statement, backend);
    let mut rows = rows.peekable();
    let mut written = 0;
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect::<Result<_>>()?;
        written += chunk.len();
        let sql = if chunk.len() == per_statement {
            full.clone()
        } else {
            statement.sql(chunk.len(), backend)
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            debug_assert_eq!(row.len(), statement.width);
            for v in row {
                q = match v {
                    Value::Text(s) => q.bind(s),
                    Value::Real(x) => q.bind(x),
                    Value::Int(i) => q.bind(i),
                };
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(written)
}

/// Deletes the rows of `table` whose `key` is one of `ids`, many a statement.
pub(super) async fn delete(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    table: &str,
    key: &str,
    per_statement: usize,
    ids: &[&str],
) -> Result<()> {
    for chunk in ids.chunks(per_statement.max(1)) {
        let marks: Vec<String> = (1..=chunk.len())
            .map(|i| match backend {
                Backend::Postgres => format!("${i}"),
                Backend::Sqlite => "?".to_owned(),
            })
            .collect();
        let sql = format!("DELETE FROM {table} WHERE {key} IN ({})", marks.join(", "));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Backend, Statement};

    #[test]
    fn placeholders_run_on_across_rows() {
        let s = Statement {
            head: "INSERT INTO t (a, b)",
            width: 2,
            tail: "ON CONFLICT (a) DO NOTHING",
        };
        assert_eq!(
            s.sql(3, Backend::Postgres),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) ON CONFLICT (a) DO NOTHING"
        );
        assert_eq!(
            s.sql(2, Backend::Sqlite),
            "INSERT INTO t (a, b) VALUES (?, ?), (?, ?) ON CONFLICT (a) DO NOTHING"
        );
        let plain = Statement {
            head: "INSERT INTO t (a)",
            width: 1,
            tail: "",
        };
        assert_eq!(
            plain.sql(1, Backend::Postgres),
            "INSERT INTO t (a) VALUES ($1)"
        );
    }
}
