//! What the pipeline says about who is told: the `--endpoint` names it checks, and the
//! warnings that print even with `-q` (an unknown event name, a failure that reaches no
//! endpoint, with each endpoint's reason).

use crate::config::{nearest, Config, Endpoint, When};
use crate::dispatch;
use crate::event::{Event, Status};
use crate::settings::Global;

/// `--endpoint` names an endpoint the config does not have.
#[derive(Debug, thiserror::Error)]
#[error("no endpoint named \"{name}\" in {config}\nhint: {hint}")]
pub(crate) struct UnknownEndpoint {
    /// The name given.
    pub name: String,
    /// The config file.
    pub config: String,
    /// The nearest name, or how to list them.
    pub hint: String,
}

/// Fail with a suggestion when `--endpoint` names an endpoint the config does not have;
/// an endpoint left out for a config problem is only warned about (it was reported).
pub(crate) fn check_names(
    g: &Global,
    cfg: &Config,
    names: &[String],
) -> Result<(), UnknownEndpoint> {
    for n in names {
        if cfg.endpoint(n).is_some() {
            continue;
        }
        if cfg
            .broken
            .iter()
            .any(|b| b.name.as_deref() == Some(n.as_str()))
        {
            g.warn(&format!(
                "endpoint \"{n}\" is left out: its config has a problem (see above)"
            ));
            continue;
        }
        let hint = match nearest(n, cfg.endpoints.iter().map(|e| e.name.as_str())) {
            Some(s) => format!("did you mean \"{s}\"?"),
            None => "run \"bnotify endpoints\" to list them".to_string(),
        };
        return Err(UnknownEndpoint {
            name: n.clone(),
            config: cfg.path.display().to_string(),
            hint,
        });
    }
    Ok(())
}

/// Warnings that bear on whether anyone is told (printed even with `-q`): an unknown
/// event name, and a failure that reaches no endpoint, with each endpoint's reason.
/// With `-v`, every endpoint that declines says why.
pub(crate) fn explain(g: &Global, cfg: &Config, ev: &Event, eps: &[&Endpoint], only: &[String]) {
    let to_default = ev.event == crate::event::TO_EVENT;
    if !crate::event::is_known(&ev.event) && !to_default {
        let subscribed = cfg
            .endpoints
            .iter()
            .filter_map(|e| e.events.as_ref())
            .chain(cfg.events.as_ref())
            .flat_map(|p| p.raw.iter().map(String::as_str))
            .filter(|n| !n.contains(['*', '?', '[']));
        let names = crate::event::KNOWN_EVENTS
            .iter()
            .map(|(n, _)| *n)
            .chain(subscribed)
            .filter(|n| *n != ev.event);
        let hint = nearest(&ev.event, names)
            .map(|n| format!("; did you mean \"{n}\"?"))
            .unwrap_or_default();
        g.warn(&format!(
            "unknown event \"{}\"{hint} (sent anyway, as status {})",
            ev.event,
            ev.status.as_str()
        ));
    }
    let declined: Vec<(String, String)> = cfg
        .endpoints
        .iter()
        .filter(|e| !eps.iter().any(|s| s.name == e.name))
        .map(|e| (e.name.clone(), decline_reason(cfg, e, ev, only)))
        .chain(
            cfg.broken
                .iter()
                .map(|b| (b.label(), "left out: its config has a problem".to_string())),
        )
        .collect();
    if eps.is_empty() && ev.status == Status::Failure && cfg.enabled {
        let why = if declined.is_empty() {
            format!("the config {} has no endpoints", cfg.path.display())
        } else {
            declined
                .iter()
                .map(|(n, r)| format!("\n  {n}: {r}"))
                .collect::<String>()
        };
        g.warn(&format!(
            "the failure event \"{}\" reaches no endpoint; nobody is told:{why}",
            ev.event
        ));
    } else if g.verbose > 0 {
        for (n, r) in &declined {
            errln!("skip  {n}  {r}");
        }
    }
}

fn decline_reason(cfg: &Config, ep: &Endpoint, ev: &Event, only: &[String]) -> String {
    if !only.is_empty() && !only.contains(&ep.name) {
        return "not named by --endpoint".into();
    }
    match dispatch::admits(cfg, ep, ev) {
        Err(why) => why.0,
        Ok(()) if ep.when == When::Change => "held back by when: change".into(),
        Ok(()) => "declined".into(),
    }
}
