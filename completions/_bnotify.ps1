
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'bnotify' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'bnotify'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'bnotify' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send one event to every endpoint subscribed to it')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send sample notifications to check that endpoints work')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Create or inspect the configuration')
            [CompletionResult]::new('endpoints', 'endpoints', [CompletionResultType]::ParameterValue, 'List the configured endpoints (secrets masked)')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'List the known events and the status each maps to')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a backup command and report its start and its outcome')
            [CompletionResult]::new('outbox', 'outbox', [CompletionResultType]::ParameterValue, 'Inspect or re-send notifications that could not be delivered')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Show or clear the noise-control state (when: change, throttle)')
            [CompletionResult]::new('overdue', 'overdue', [CompletionResultType]::ParameterValue, 'Send backup_missed for each task that has not succeeded for too long')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write every page (with bnotify.yaml.5, the config file) into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;send' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Event name, e.g. backup_failure, restore_success, or your own (status from its suffix). Optional with --to: then `notification` (status info)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Event name, e.g. backup_failure, restore_success, or your own (status from its suffix). Optional with --to: then `notification` (status info)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Also send to this notification URL (repeatable), e.g. ntfy://topic or discord://id/token; with --to no config file is needed')
            [CompletionResult]::new('--job', '--job', [CompletionResultType]::ParameterName, 'Job or task name, e.g. mysql-daily')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Job or task name, e.g. mysql-daily')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Override the status derived from the event name')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'What happened, in one sentence')
            [CompletionResult]::new('--error', '--error', [CompletionResultType]::ParameterName, 'The error, e.g. the last line of the failing command')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Title text instead of the default one')
            [CompletionResult]::new('--title', '--title', [CompletionResultType]::ParameterName, 'Title text instead of the default one')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Body text instead of the default one')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'Body text instead of the default one')
            [CompletionResult]::new('--backup-id', '--backup-id', [CompletionResultType]::ParameterName, 'Identifier of the backup')
            [CompletionResult]::new('--backup-comment', '--backup-comment', [CompletionResultType]::ParameterName, 'Comment of the backup')
            [CompletionResult]::new('--backup-date', '--backup-date', [CompletionResultType]::ParameterName, 'Date of the backup (RFC 3339)')
            [CompletionResult]::new('--backup-size', '--backup-size', [CompletionResultType]::ParameterName, 'Size of the backup: bytes, or with a unit (1.5GiB, 700MB)')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Tag of the backup (repeatable)')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Who started it')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'What triggered it (cron, manual, ...)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Host name shown in the notification (default: this host''s name)')
            [CompletionResult]::new('--started-at', '--started-at', [CompletionResultType]::ParameterName, 'When the job started (RFC 3339)')
            [CompletionResult]::new('--finished-at', '--finished-at', [CompletionResultType]::ParameterName, 'When the job finished (RFC 3339)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'How long the job took, e.g. "4m 12s"')
            [CompletionResult]::new('--dump-path', '--dump-path', [CompletionResultType]::ParameterName, 'Where the dump was written')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Run id shared by the start and end events (default: a new UUID)')
            [CompletionResult]::new('--field', '--field', [CompletionResultType]::ParameterName, 'Extra field KEY=VALUE (repeatable); shows up under `fields`')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'Read a JSON object of event keys from FILE, or stdin with `-`; flags win over it')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Only send to this endpoint (repeatable)')
            [CompletionResult]::new('--attach', '--attach', [CompletionResultType]::ParameterName, 'Attach a file, e.g. the backup''s log (repeatable); big files are cut to their end')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Give up on everything still pending after this long (e.g. 30s, 2m)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print each request that would be sent (secrets masked) and send nothing')
            [CompletionResult]::new('--best-effort', '--best-effort', [CompletionResultType]::ParameterName, 'Exit 0 even when a delivery failed (failures are still printed and kept)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;test' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('notify', 'notify', [CompletionResultType]::ParameterValue, 'Send EVENT with sample data to its subscribers; without EVENT, send `test` to every enabled endpoint')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;test;notify' {
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Only this endpoint (repeatable)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be sent, send nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;test;help' {
            [CompletionResult]::new('notify', 'notify', [CompletionResultType]::ParameterValue, 'Send EVENT with sample data to its subscribers; without EVENT, send `test` to every enabled endpoint')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;test;help;notify' {
            break
        }
        'bnotify;test;help;help' {
            break
        }
        'bnotify;config' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Load the config and report every problem found (exit 2 on errors)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective config with defaults filled in and secrets masked')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print which config file is used and why')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a short, commented starter config (mode 0600) for the chosen endpoint types')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;config;check' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;config;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;config;path' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;config;init' {
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Endpoint types to include, comma-separated (default: webhook)')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Write here instead of $XDG_CONFIG_HOME/bnotify/config.yaml (~/.config/...)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing file')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;config;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Load the config and report every problem found (exit 2 on errors)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective config with defaults filled in and secrets masked')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print which config file is used and why')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a short, commented starter config (mode 0600) for the chosen endpoint types')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;config;help;check' {
            break
        }
        'bnotify;config;help;show' {
            break
        }
        'bnotify;config;help;path' {
            break
        }
        'bnotify;config;help;init' {
            break
        }
        'bnotify;config;help;help' {
            break
        }
        'bnotify;endpoints' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;events' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;run' {
            [CompletionResult]::new('--job', '--job', [CompletionResultType]::ParameterName, 'Job name the events carry, e.g. mysql-daily')
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Job name the events carry, e.g. mysql-daily')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Which events to send')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Only notify this endpoint (repeatable)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('--attach-output', '--attach-output', [CompletionResultType]::ParameterName, 'Attach the command''s output (stdout and stderr, last 5 MiB) to the outcome event')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;outbox' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the notifications waiting to be sent again')
            [CompletionResult]::new('flush', 'flush', [CompletionResultType]::ParameterValue, 'Send every waiting notification again; delivered ones leave the outbox')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete waiting notifications without sending them (--older-than or --all)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;outbox;list' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;outbox;flush' {
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Give up on what is still pending after this long')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;outbox;purge' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only those queued longer ago than this (e.g. 3d, 90s)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every waiting notification')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;outbox;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the notifications waiting to be sent again')
            [CompletionResult]::new('flush', 'flush', [CompletionResultType]::ParameterValue, 'Send every waiting notification again; delivered ones leave the outbox')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete waiting notifications without sending them (--older-than or --all)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;outbox;help;list' {
            break
        }
        'bnotify;outbox;help;flush' {
            break
        }
        'bnotify;outbox;help;purge' {
            break
        }
        'bnotify;outbox;help;help' {
            break
        }
        'bnotify;state' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the last outcome told per endpoint and task, and the throttle windows')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Forget it all, or only what concerns one task')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;state;show' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;state;reset' {
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Only this task')
            [CompletionResult]::new('--job', '--job', [CompletionResultType]::ParameterName, 'Only this task')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;state;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the last outcome told per endpoint and task, and the throttle windows')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Forget it all, or only what concerns one task')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;state;help;show' {
            break
        }
        'bnotify;state;help;reset' {
            break
        }
        'bnotify;state;help;help' {
            break
        }
        'bnotify;overdue' {
            [CompletionResult]::new('--task', '--task', [CompletionResultType]::ParameterName, 'Tasks to check, as a glob over the task names the state has seen (e.g. ''mysql-*'')')
            [CompletionResult]::new('--job', '--job', [CompletionResultType]::ParameterName, 'Tasks to check, as a glob over the task names the state has seen (e.g. ''mysql-*'')')
            [CompletionResult]::new('--max-age', '--max-age', [CompletionResultType]::ParameterName, 'Overdue when the last success is older than this (e.g. 26h, 8d)')
            [CompletionResult]::new('--event', '--event', [CompletionResultType]::ParameterName, 'Event to send for each overdue task')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Host name shown in the notification (default: this host''s name)')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Only send to this endpoint (repeatable)')
            [CompletionResult]::new('--deadline', '--deadline', [CompletionResultType]::ParameterName, 'Give up on everything still pending after this long (e.g. 30s, 2m)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print each request that would be sent (secrets masked) and send nothing')
            [CompletionResult]::new('--best-effort', '--best-effort', [CompletionResultType]::ParameterName, 'Exit 0 even when a delivery failed (failures are still printed and kept)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write bnotify.1, one page per subcommand and bnotify.yaml.5 here instead of printing bnotify.1')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file to use instead of the discovered one (see `bnotify config path`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only failures and warnings')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON report on stdout instead of human lines')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'bnotify;help' {
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send one event to every endpoint subscribed to it')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Send sample notifications to check that endpoints work')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Create or inspect the configuration')
            [CompletionResult]::new('endpoints', 'endpoints', [CompletionResultType]::ParameterValue, 'List the configured endpoints (secrets masked)')
            [CompletionResult]::new('events', 'events', [CompletionResultType]::ParameterValue, 'List the known events and the status each maps to')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a backup command and report its start and its outcome')
            [CompletionResult]::new('outbox', 'outbox', [CompletionResultType]::ParameterValue, 'Inspect or re-send notifications that could not be delivered')
            [CompletionResult]::new('state', 'state', [CompletionResultType]::ParameterValue, 'Show or clear the noise-control state (when: change, throttle)')
            [CompletionResult]::new('overdue', 'overdue', [CompletionResultType]::ParameterValue, 'Send backup_missed for each task that has not succeeded for too long')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write every page (with bnotify.yaml.5, the config file) into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'bnotify;help;send' {
            break
        }
        'bnotify;help;test' {
            [CompletionResult]::new('notify', 'notify', [CompletionResultType]::ParameterValue, 'Send EVENT with sample data to its subscribers; without EVENT, send `test` to every enabled endpoint')
            break
        }
        'bnotify;help;test;notify' {
            break
        }
        'bnotify;help;config' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Load the config and report every problem found (exit 2 on errors)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the effective config with defaults filled in and secrets masked')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print which config file is used and why')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a short, commented starter config (mode 0600) for the chosen endpoint types')
            break
        }
        'bnotify;help;config;check' {
            break
        }
        'bnotify;help;config;show' {
            break
        }
        'bnotify;help;config;path' {
            break
        }
        'bnotify;help;config;init' {
            break
        }
        'bnotify;help;endpoints' {
            break
        }
        'bnotify;help;events' {
            break
        }
        'bnotify;help;run' {
            break
        }
        'bnotify;help;outbox' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the notifications waiting to be sent again')
            [CompletionResult]::new('flush', 'flush', [CompletionResultType]::ParameterValue, 'Send every waiting notification again; delivered ones leave the outbox')
            [CompletionResult]::new('purge', 'purge', [CompletionResultType]::ParameterValue, 'Delete waiting notifications without sending them (--older-than or --all)')
            break
        }
        'bnotify;help;outbox;list' {
            break
        }
        'bnotify;help;outbox;flush' {
            break
        }
        'bnotify;help;outbox;purge' {
            break
        }
        'bnotify;help;state' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the last outcome told per endpoint and task, and the throttle windows')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Forget it all, or only what concerns one task')
            break
        }
        'bnotify;help;state;show' {
            break
        }
        'bnotify;help;state;reset' {
            break
        }
        'bnotify;help;overdue' {
            break
        }
        'bnotify;help;completions' {
            break
        }
        'bnotify;help;man' {
            break
        }
        'bnotify;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
