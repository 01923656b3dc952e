//! Structured logs: one JSON object per line on standard error.
//!
//! Plain serde_json rather than a tracing stack: the server logs a handful
//! of events, and each line is written with one `write_all` on the locked
//! stream so concurrent requests never interleave. Callers pass identifiers
//! (uid, kind, namespace, name, rule ids), never an object's values.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// Writes `{"ts": ..., "level": ..., "msg": ..., fields...}`.
pub fn event(level: &str, msg: &str, fields: &[(&str, Value)]) {
    let mut line = Map::with_capacity(fields.len() + 3);
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_secs_f64())
        .unwrap_or_default();
    line.insert("ts".into(), Value::from((ts * 1000.0).round() / 1000.0));
    line.insert("level".into(), Value::from(level));
    line.insert("msg".into(), Value::from(msg));
    for (key, value) in fields {
        line.insert((*key).to_owned(), value.clone());
    }
    let mut text = Value::Object(line).to_string();
    text.push('\n');
    // A closed stderr must not take the server down with it.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
