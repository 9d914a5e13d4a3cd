//! Unit tests of `config`.

use super::*;

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, Path::new("conf/c.toml"), Path::new("conf"))
}

#[test]
fn full_config() {
    let c = parse(
        r#"
        rules = ["local.toml"]
        non_working_days = [ { date = 2026-12-24, name = "Council closure" } ]
        [[sources]]
        kind = "incident-log"
        path = "logs/*.xlsx"
        sheet = "2024-25"
        [sources.columns]
        case_ref = "Ref No."
        [sources.values.child_status]
        "LAC" = "looked after"
        [[sources]]
        kind = "referrals"
        path = "referrals.csv"
        [report]
        out_dir = "out"
        [email]
        from = "Audit <a@x.gov.uk>"
        to = ["d@x.gov.uk"]
        smtp_host = "smtp.x.gov.uk"
        [schedule]
        cron = "0 7 * * MON"
        "#,
    )
    .unwrap();
    assert_eq!(c.rules, vec![PathBuf::from("conf/local.toml")]);
    assert_eq!(c.non_working_days[0].1, "Council closure");
    assert_eq!(c.sources.len(), 2);
    assert_eq!(c.sources[0].path, PathBuf::from("conf/logs/*.xlsx"));
    assert_eq!(c.sources[1].kind, SourceKind::Referrals);
    assert_eq!(c.out_dir, PathBuf::from("conf/out"));
    let up =
        parse("[[sources]]\npath = \"../logs/a.csv\"\n[report]\nout_dir = \"../reports\"").unwrap();
    assert_eq!(up.sources[0].path, PathBuf::from("logs/a.csv"));
    assert_eq!(up.out_dir, PathBuf::from("reports"));
    assert_eq!(c.state_dir, PathBuf::from("conf/out/state"));
    assert_eq!(c.email.unwrap().tls, TlsMode::Starttls);
    assert_eq!(c.schedule.unwrap().timezone, "Europe/London");
}

#[test]
fn arrangements_from_is_a_top_level_date() {
    assert_eq!(parse("").unwrap().arrangements_from, None);
    let c = parse("arrangements_from = 2019-04-01").unwrap();
    assert_eq!(c.arrangements_from, NaiveDate::from_ymd_opt(2019, 4, 1));
    let e = parse("arrangements_from = \"April 2019\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("conf/c.toml"), "{e}");
    let e = parse("arrangements_from = 2019-04-01T10:00:00")
        .unwrap_err()
        .to_string();
    assert!(e.contains("arrangements_from"), "{e}");
}

#[test]
fn email_defaults_and_loopback() {
    let c =
        parse("[email]\nfrom = \"a@x\"\nto = [\"b@x\"]\nsmtp_host = \"h\"\ntls = \"tls\"").unwrap();
    let e = c.email.unwrap();
    assert_eq!(e.port(), 465);
    assert_eq!(e.retry_for().as_secs(), DEFAULT_RETRY_FOR_SECS);
    assert_eq!(TlsMode::Starttls.default_port(), 587);
    assert_eq!(TlsMode::None.default_port(), 25);
    for h in [
        "localhost",
        "LOCALHOST.",
        "127.0.0.1",
        "127.3.2.1",
        "::1",
        "[::1]",
        "::ffff:127.0.0.1",
    ] {
        assert!(is_loopback_host(h), "{h}");
    }
    for h in [
        "smtp.x.gov.uk",
        "10.0.0.1",
        "128.0.0.1",
        "localhost.evil.com",
        "",
        "::2",
    ] {
        assert!(!is_loopback_host(h), "{h}");
    }
}

#[test]
fn errors_name_file_and_key() {
    let e = parse("[[sources]]\npath = \"a.csv\"\ncolour = 1")
        .unwrap_err()
        .to_string();
    assert!(e.contains("conf/c.toml") && e.contains("colour"), "{e}");
    let e = parse("[[sources]]\npath = \"a.csv\"\ndate_system = \"1901\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("sources[0].date_system"), "{e}");
    let e = parse("[email]\nfrom = \"a\"\nto = [\"b\"]\nsmtp_host = \"h\"\ntls = \"ssl\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("tls") || e.contains("ssl"), "{e}");
    let e = parse("[report]\nmode = \"rw-r-----\"")
        .unwrap_err()
        .to_string();
    assert!(e.contains("report.mode"), "{e}");
    let e = parse("[email]\nfrom = \"a\"\nto = [\"b\"]\nsmtp_host = \"h\"\ntimeout_secs = 0")
        .unwrap_err()
        .to_string();
    assert!(e.contains("email.timeout_secs"), "{e}");
    assert_eq!(
        parse("[report]\nmode = \"0640\"").unwrap().report_mode,
        Some(0o640)
    );
}

#[test]
fn local_authorities() {
    let c = parse(
        r#"
        [[local_authorities]]
        name = "Hartlepool"
        aliases = ["HBC", "Hartlepool BC"]
        email_to = ["dcs@hartlepool.example.gov.uk"]
        non_working_days = [ { date = 2026-12-29, name = "Council closure" } ]
        rules = ["hartlepool.toml"]
        [[local_authorities]]
        name = "Redcar and Cleveland"
        "#,
    )
    .unwrap();
    let la = &c.local_authorities;
    assert_eq!(la.len(), 2);
    assert_eq!(la[0].slug, "hartlepool");
    assert_eq!(la[1].slug, "redcar-and-cleveland");
    assert_eq!(la[0].rules, vec![PathBuf::from("conf/hartlepool.toml")]);
    assert_eq!(la[0].non_working_days[0].1, "Council closure");
    assert!(la[1].email_to.is_empty() && la[1].rules.is_empty());
    for (name, want) in [
        ("hartlepool", Some(0)),
        (" HARTLEPOOL ", Some(0)),
        ("h.b.c.", Some(0)),
        ("Hartlepool B.C.", Some(0)),
        ("redcar & cleveland", None),
        ("Redcar-and-Cleveland", Some(1)),
        ("redcar-and-cleveland", Some(1)),
        ("Middlesbrough", None),
        ("", None),
        ("  ", None),
    ] {
        assert_eq!(c.authority_named(name), want, "{name:?}");
    }
    assert_eq!(slug("Stockton-on-Tees"), "stockton-on-tees");
    assert_eq!(slug("  St. Helens  "), "st-helens");
}

#[test]
fn local_authority_errors() {
    for (text, want) in [
        (
            "[[local_authorities]]\nname = \"A\"\n[[local_authorities]]\nname = \"B\"\naliases = [\"a.\"]",
            "local_authorities[1].aliases[0]",
        ),
        ("[[local_authorities]]\nname = \" - \"", "local_authorities[0].name"),
        (
            "[[local_authorities]]\nname = \"A\"\naliases = [\"--\"]",
            "local_authorities[0].aliases[0]",
        ),
        (
            "[[local_authorities]]\nname = \"A\"\nemail_to = [\" \"]",
            "local_authorities[0].email_to[0]",
        ),
        (
            "[[local_authorities]]\nname = \"A\"\nnon_working_days = [ { date = 2026-12-29T10:00:00, name = \"x\" } ]",
            "local_authorities[0].non_working_days[0].date",
        ),
        ("[[local_authorities]]\nname = \"A\"\nemail = [\"a@b\"]", "email"),
        ("[[local_authorities]]\naliases = [\"A\"]", "name"),
        ("[[local_authorities]]\nname = \"State\"", "run state"),
    ] {
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains("conf/c.toml") && e.contains(want), "{text}: {e}");
    }
}
