
use builtin;
use str;

set edit:completion:arg-completer[bnotify] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'bnotify'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'bnotify'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand send 'Send one event to every endpoint subscribed to it'
            cand test 'Send sample notifications to check that endpoints work'
            cand config 'Create or inspect the configuration'
            cand endpoints 'List the configured endpoints (secrets masked)'
            cand events 'List the known events and the status each maps to'
            cand run 'Run a backup command and report its start and its outcome'
            cand outbox 'Inspect or re-send notifications that could not be delivered'
            cand state 'Show or clear the noise-control state (when: change, throttle)'
            cand overdue 'Send backup_missed for each task that has not succeeded for too long'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write every page (with bnotify.yaml.5, the config file) into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;send'= {
            cand -e 'Event name, e.g. backup_failure, restore_success, or your own (status from its suffix). Optional with --to: then `notification` (status info)'
            cand --event 'Event name, e.g. backup_failure, restore_success, or your own (status from its suffix). Optional with --to: then `notification` (status info)'
            cand --to 'Also send to this notification URL (repeatable), e.g. ntfy://topic or discord://id/token; with --to no config file is needed'
            cand --job 'Job or task name, e.g. mysql-daily'
            cand --task 'Job or task name, e.g. mysql-daily'
            cand --status 'Override the status derived from the event name'
            cand --message 'What happened, in one sentence'
            cand --error 'The error, e.g. the last line of the failing command'
            cand -t 'Title text instead of the default one'
            cand --title 'Title text instead of the default one'
            cand -b 'Body text instead of the default one'
            cand --body 'Body text instead of the default one'
            cand --backup-id 'Identifier of the backup'
            cand --backup-comment 'Comment of the backup'
            cand --backup-date 'Date of the backup (RFC 3339)'
            cand --backup-size 'Size of the backup: bytes, or with a unit (1.5GiB, 700MB)'
            cand --tag 'Tag of the backup (repeatable)'
            cand --operator 'Who started it'
            cand --source 'What triggered it (cron, manual, ...)'
            cand --host 'Host name shown in the notification (default: this host''s name)'
            cand --started-at 'When the job started (RFC 3339)'
            cand --finished-at 'When the job finished (RFC 3339)'
            cand --duration 'How long the job took, e.g. "4m 12s"'
            cand --dump-path 'Where the dump was written'
            cand --id 'Run id shared by the start and end events (default: a new UUID)'
            cand --field 'Extra field KEY=VALUE (repeatable); shows up under `fields`'
            cand --payload 'Read a JSON object of event keys from FILE, or stdin with `-`; flags win over it'
            cand --endpoint 'Only send to this endpoint (repeatable)'
            cand --attach 'Attach a file, e.g. the backup''s log (repeatable); big files are cut to their end'
            cand --deadline 'Give up on everything still pending after this long (e.g. 30s, 2m)'
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand --dry-run 'Print each request that would be sent (secrets masked) and send nothing'
            cand --best-effort 'Exit 0 even when a delivery failed (failures are still printed and kept)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;test'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand notify 'Send EVENT with sample data to its subscribers; without EVENT, send `test` to every enabled endpoint'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;test;notify'= {
            cand --endpoint 'Only this endpoint (repeatable)'
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand --dry-run 'Show what would be sent, send nothing'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;test;help'= {
            cand notify 'Send EVENT with sample data to its subscribers; without EVENT, send `test` to every enabled endpoint'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;test;help;notify'= {
        }
        &'bnotify;test;help;help'= {
        }
        &'bnotify;config'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand check 'Load the config and report every problem found (exit 2 on errors)'
            cand show 'Print the effective config with defaults filled in and secrets masked'
            cand path 'Print which config file is used and why'
            cand init 'Write a short, commented starter config (mode 0600) for the chosen endpoint types'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;config;check'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;config;show'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;config;path'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;config;init'= {
            cand --type 'Endpoint types to include, comma-separated (default: webhook)'
            cand --path 'Write here instead of $XDG_CONFIG_HOME/bnotify/config.yaml (~/.config/...)'
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand --force 'Replace an existing file'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;config;help'= {
            cand check 'Load the config and report every problem found (exit 2 on errors)'
            cand show 'Print the effective config with defaults filled in and secrets masked'
            cand path 'Print which config file is used and why'
            cand init 'Write a short, commented starter config (mode 0600) for the chosen endpoint types'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;config;help;check'= {
        }
        &'bnotify;config;help;show'= {
        }
        &'bnotify;config;help;path'= {
        }
        &'bnotify;config;help;init'= {
        }
        &'bnotify;config;help;help'= {
        }
        &'bnotify;endpoints'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;events'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;run'= {
            cand --job 'Job name the events carry, e.g. mysql-daily'
            cand --task 'Job name the events carry, e.g. mysql-daily'
            cand --kind 'Which events to send'
            cand --endpoint 'Only notify this endpoint (repeatable)'
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand --attach-output 'Attach the command''s output (stdout and stderr, last 5 MiB) to the outcome event'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;outbox'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the notifications waiting to be sent again'
            cand flush 'Send every waiting notification again; delivered ones leave the outbox'
            cand purge 'Delete waiting notifications without sending them (--older-than or --all)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;outbox;list'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;outbox;flush'= {
            cand --deadline 'Give up on what is still pending after this long'
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;outbox;purge'= {
            cand --older-than 'Only those queued longer ago than this (e.g. 3d, 90s)'
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand --all 'Every waiting notification'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;outbox;help'= {
            cand list 'List the notifications waiting to be sent again'
            cand flush 'Send every waiting notification again; delivered ones leave the outbox'
            cand purge 'Delete waiting notifications without sending them (--older-than or --all)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;outbox;help;list'= {
        }
        &'bnotify;outbox;help;flush'= {
        }
        &'bnotify;outbox;help;purge'= {
        }
        &'bnotify;outbox;help;help'= {
        }
        &'bnotify;state'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand show 'Print the last outcome told per endpoint and task, and the throttle windows'
            cand reset 'Forget it all, or only what concerns one task'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;state;show'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;state;reset'= {
            cand --task 'Only this task'
            cand --job 'Only this task'
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;state;help'= {
            cand show 'Print the last outcome told per endpoint and task, and the throttle windows'
            cand reset 'Forget it all, or only what concerns one task'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;state;help;show'= {
        }
        &'bnotify;state;help;reset'= {
        }
        &'bnotify;state;help;help'= {
        }
        &'bnotify;overdue'= {
            cand --task 'Tasks to check, as a glob over the task names the state has seen (e.g. ''mysql-*'')'
            cand --job 'Tasks to check, as a glob over the task names the state has seen (e.g. ''mysql-*'')'
            cand --max-age 'Overdue when the last success is older than this (e.g. 26h, 8d)'
            cand --event 'Event to send for each overdue task'
            cand --host 'Host name shown in the notification (default: this host''s name)'
            cand --endpoint 'Only send to this endpoint (repeatable)'
            cand --deadline 'Give up on everything still pending after this long (e.g. 30s, 2m)'
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand --dry-run 'Print each request that would be sent (secrets masked) and send nothing'
            cand --best-effort 'Exit 0 even when a delivery failed (failures are still printed and kept)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;completions'= {
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;man'= {
            cand --dir 'Write bnotify.1, one page per subcommand and bnotify.yaml.5 here instead of printing bnotify.1'
            cand --config 'Config file to use instead of the discovered one (see `bnotify config path`)'
            cand -v 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand --verbose 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
            cand -q 'Print only failures and warnings'
            cand --quiet 'Print only failures and warnings'
            cand --json 'Print one JSON report on stdout instead of human lines'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'bnotify;help'= {
            cand send 'Send one event to every endpoint subscribed to it'
            cand test 'Send sample notifications to check that endpoints work'
            cand config 'Create or inspect the configuration'
            cand endpoints 'List the configured endpoints (secrets masked)'
            cand events 'List the known events and the status each maps to'
            cand run 'Run a backup command and report its start and its outcome'
            cand outbox 'Inspect or re-send notifications that could not be delivered'
            cand state 'Show or clear the noise-control state (when: change, throttle)'
            cand overdue 'Send backup_missed for each task that has not succeeded for too long'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write every page (with bnotify.yaml.5, the config file) into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'bnotify;help;send'= {
        }
        &'bnotify;help;test'= {
            cand notify 'Send EVENT with sample data to its subscribers; without EVENT, send `test` to every enabled endpoint'
        }
        &'bnotify;help;test;notify'= {
        }
        &'bnotify;help;config'= {
            cand check 'Load the config and report every problem found (exit 2 on errors)'
            cand show 'Print the effective config with defaults filled in and secrets masked'
            cand path 'Print which config file is used and why'
            cand init 'Write a short, commented starter config (mode 0600) for the chosen endpoint types'
        }
        &'bnotify;help;config;check'= {
        }
        &'bnotify;help;config;show'= {
        }
        &'bnotify;help;config;path'= {
        }
        &'bnotify;help;config;init'= {
        }
        &'bnotify;help;endpoints'= {
        }
        &'bnotify;help;events'= {
        }
        &'bnotify;help;run'= {
        }
        &'bnotify;help;outbox'= {
            cand list 'List the notifications waiting to be sent again'
            cand flush 'Send every waiting notification again; delivered ones leave the outbox'
            cand purge 'Delete waiting notifications without sending them (--older-than or --all)'
        }
        &'bnotify;help;outbox;list'= {
        }
        &'bnotify;help;outbox;flush'= {
        }
        &'bnotify;help;outbox;purge'= {
        }
        &'bnotify;help;state'= {
            cand show 'Print the last outcome told per endpoint and task, and the throttle windows'
            cand reset 'Forget it all, or only what concerns one task'
        }
        &'bnotify;help;state;show'= {
        }
        &'bnotify;help;state;reset'= {
        }
        &'bnotify;help;overdue'= {
        }
        &'bnotify;help;completions'= {
        }
        &'bnotify;help;man'= {
        }
        &'bnotify;help;help'= {
        }
    ]
    $completions[$command]
}
