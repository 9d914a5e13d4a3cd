//! One audit per local authority of a partnership, cut from the partnership's audit: that
//! authority's cases (in the same order), its rules and calendar, the very findings the
//! partnership's audit gave them, its problems and missing columns; and the per-authority lines
//! of the printed summary. Above the pipeline, which it reads; below the reports and the run.

use crate::cases::{CaseSet, Reconciliation};
use crate::findings::{Reason, Tally};
use crate::pipeline::Audit;

/// The audit of one authority: its cases only (in the same order), its own rules and calendar,
/// the very findings the partnership's audit gave them, its cases' data-quality problems, and
/// a reconciliation of the rows its cases were read from.
pub fn split(audit: &Audit, k: usize) -> Option<Audit> {
    let p = audit.partnership.as_ref()?;
    let a = p.authorities.get(k)?;
    let mut new_index = vec![u32::MAX; audit.cases.cases.len()];
    let mut cases = Vec::new();
    for (i, c) in audit.cases.cases.iter().enumerate() {
        if p.case_authority.get(i).copied().flatten() == Some(k as u16) {
            new_index[i] = cases.len() as u32;
            cases.push(c.clone());
        }
    }
    // Partnership duty index -> this authority's.
    let mut back = vec![u16::MAX; audit.rules.duties.len()];
    for (own, &u) in a.to_partnership.iter().enumerate() {
        if let Some(b) = back.get_mut(u as usize) {
            *b = own as u16;
        }
    }
    let unmap = |d: u16| back.get(d as usize).copied().unwrap_or(u16::MAX);
    let mut findings = Vec::with_capacity(audit.findings.len() / p.authorities.len().max(1));
    for f in &audit.findings {
        let c = new_index.get(f.case as usize).copied().unwrap_or(u32::MAX);
        if c == u32::MAX {
            continue;
        }
        let mut g = *f;
        g.case = c;
        g.duty = unmap(f.duty);
        if let Reason::DependsOn(d) = f.reason {
            g.reason = Reason::DependsOn(unmap(d));
        }
        findings.push(g);
    }
    let refs: std::collections::HashSet<&str> = cases.iter().map(|c| &*c.case_ref).collect();
    let problems = audit
        .cases
        .problems
        .iter()
        .filter(|pr| pr.case_ref.as_deref().is_some_and(|r| refs.contains(r)))
        .cloned()
        .collect();
    let rows: usize = cases.iter().map(|c| c.rows as usize).sum();
    let tally = Tally::of(&findings, &a.rules);
    let cases = CaseSet {
        cases,
        tables: audit.cases.tables.clone(),
        problems,
        reconciliation: Reconciliation {
            rows_read: rows,
            used: rows,
            set_aside: 0,
            blank: 0,
        },
        notices: audit.cases.notices.clone(),
    };
    // The same missing columns, costed on this authority's cases alone.
    let mut missing = audit.missing.clone();
    crate::columns::recount(&mut missing, &cases, &a.rules, &findings);
    Some(Audit {
        as_of: audit.as_of,
        rules: a.rules.clone(),
        calendar: a.calendar.clone(),
        cases,
        findings,
        tally,
        missing,
        partnership: None,
        authority: Some(a.name.clone()),
        timings: Default::default(),
    })
}

/// Every authority's audit, in the configuration's order (empty for a single council).
pub fn split_all(audit: &Audit) -> Vec<Audit> {
    let n = audit
        .partnership
        .as_ref()
        .map(|p| p.authorities.len())
        .unwrap_or(0);
    (0..n).filter_map(|k| split(audit, k)).collect()
}

/// The lines the printed summary adds: whose report this is, and for a partnership's, how its
/// cases divide between the authorities.
pub fn summary_lines(audit: &Audit) -> String {
    if let Some(name) = &audit.authority {
        return format!("Local authority: {name} (its cases only)\n");
    }
    let Some(p) = &audit.partnership else {
        return String::new();
    };
    let mut counts = vec![0usize; p.authorities.len()];
    let mut none = 0;
    for (c, k) in audit.cases.cases.iter().zip(&p.case_authority) {
        match k {
            Some(k) => counts[*k as usize] += 1,
            None if !c.referral => none += 1,
            None => {}
        }
    }
    let each: Vec<String> = p
        .authorities
        .iter()
        .zip(&counts)
        .map(|(a, n)| format!("{} {n}", a.name))
        .collect();
    let mut s = format!(
        "Partnership of {} local authorities, cases: {}",
        p.authorities.len(),
        each.join(", ")
    );
    if none > 0 {
        s.push_str(&format!(
            "; {none} with no listed authority (this report only, see Data quality)"
        ));
    }
    s.push('\n');
    s
}
