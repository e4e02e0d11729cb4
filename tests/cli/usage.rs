//! Help and usage errors read well: a short message, a hint, exit 2.

use crate::support::{run, Env};

#[test]
fn usage_errors_give_a_hint() {
    let env = Env::new("endpoints: []\n");
    for (args, wants) in [
        (&[][..], &["Usage: bnotify", "send", "Examples:"][..]),
        (
            &["sned"][..],
            &[
                "unrecognized subcommand 'sned'",
                "similar subcommand exists: 'send'",
            ][..],
        ),
        (
            &["send", "--evnt", "x"][..],
            &[
                "unexpected argument '--evnt'",
                "similar argument exists: '--event'",
            ][..],
        ),
        (
            &["send", "--job", "x"][..],
            &["--event <EVENT>", "required"][..],
        ),
        (
            &["send", "--event", "x", "--deadline", "soon"][..],
            &["invalid value 'soon'", "expected a duration such as 30s"][..],
        ),
        (&["run", "--job", "x"][..], &["COMMAND", "required"][..]),
        (
            &["completions", "tcsh"][..],
            &["invalid value 'tcsh'", "bash"][..],
        ),
    ] {
        let mut c = env.bare();
        c.args(args);
        let out = run(c);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        for w in wants {
            assert!(
                out.stderr.contains(w),
                "{args:?}: stderr lacks {w:?}:\n{}",
                out.stderr
            );
        }
    }
}

#[test]
fn every_flag_has_help() {
    fn walk(cmd: &clap::Command, path: &str) {
        for a in cmd.get_arguments() {
            if a.get_id() == "help" || a.get_id() == "version" {
                continue;
            }
            assert!(
                a.get_help().is_some(),
                "{path} --{} has no help line",
                a.get_id()
            );
        }
        for s in cmd.get_subcommands() {
            assert!(
                s.get_about().is_some(),
                "{path} {} has no description",
                s.get_name()
            );
            walk(s, &format!("{path} {}", s.get_name()));
        }
    }
    walk(&bnotify::catalog::command(), "bnotify");
}
