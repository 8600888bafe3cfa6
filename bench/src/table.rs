//! The one table `make bench` prints: a row per figure, grouped by section, Markdown-shaped so it can
//! be pasted into docs/PERFORMANCE.md as it is.

#[derive(Debug, Clone)]
pub struct Row {
    pub section: &'static str,
    pub what: String,
    pub value: String,
    pub note: String,
}

#[derive(Debug, Default)]
pub struct Table {
    rows: Vec<Row>,
}

impl Table {
    /// Adds a row and echoes it on stderr at once, so a long run shows its progress.
    pub fn add(
        &mut self,
        section: &'static str,
        what: impl Into<String>,
        value: impl Into<String>,
        note: impl Into<String>,
    ) {
        let row = Row {
            section,
            what: what.into(),
            value: value.into(),
            note: note.into(),
        };
        eprintln!("  [{}] {}: {} {}", row.section, row.what, row.value, row.note);
        self.rows.push(row);
    }

    pub fn render(&self) -> String {
        let header = ["section", "measure", "value", "note"];
        let cells: Vec<[&str; 4]> = self
            .rows
            .iter()
            .map(|r| [r.section, r.what.as_str(), r.value.as_str(), r.note.as_str()])
            .collect();
        let mut widths = header.map(str::len);
        for row in &cells {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; 4]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            format!("| {} |\n", padded.join(" | "))
        };
        let mut out = line(header);
        out.push_str(&format!("|{}|\n", widths.map(|w| "-".repeat(w + 2)).join("|")));
        for row in cells {
            out.push_str(&line(row));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_aligned_markdown() {
        let mut table = Table::default();
        table.add("a", "x", "1 ms", "");
        table.add("bb", "longer measure", "22 ms", "note");
        let text = table.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(
            lines.iter().all(|l| l.chars().count() == lines[0].chars().count()),
            "{text}"
        );
        assert!(lines[1].starts_with("|---"));
    }
}
