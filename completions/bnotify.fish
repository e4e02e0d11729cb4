# The endpoint names of the config in use (--config on the line, else the usual search).
function __fish_bnotify_endpoints
    set -l tokens (commandline -opc)
    set -l i (contains -i -- --config $tokens)
    if test -n "$i"; and test (count $tokens) -gt $i
        BNOTIFY_CONFIG=$tokens[(math $i + 1)] BNOTIFY_COMPLETE=endpoints $tokens[1] 2>/dev/null
    else
        BNOTIFY_COMPLETE=endpoints $tokens[1] 2>/dev/null
    end
end

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_bnotify_global_optspecs
    string join \n config= v/verbose q/quiet json h/help V/version
end

function __fish_bnotify_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_bnotify_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_bnotify_using_subcommand
    set -l cmd (__fish_bnotify_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c bnotify -n "__fish_bnotify_needs_command" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_needs_command" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_needs_command" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_needs_command" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_needs_command" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_needs_command" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "send" -d 'Send one event to every endpoint subscribed to it'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "test" -d 'Send sample notifications to check that endpoints work'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "config" -d 'Create or inspect the configuration'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "endpoints" -d 'List the configured endpoints (secrets masked)'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "events" -d 'List the known events and the status each maps to'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "run" -d 'Run a backup command and report its start and its outcome'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "outbox" -d 'Inspect or re-send notifications that could not be delivered'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "state" -d 'Show or clear the noise-control state (when: change, throttle)'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "overdue" -d 'Send backup_missed for each task that has not succeeded for too long'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "man" -d 'Print the man page, or write every page (with bnotify.yaml.5, the config file) into a directory'
complete -c bnotify -n "__fish_bnotify_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -s e -l event -d 'Event name, e.g. backup_failure, restore_success, or your own (status from its suffix). Optional with --to: then `notification` (status info)' -r -f -a "backup_start\t''
backup_success\t''
backup_failure\t''
backup_report\t''
restore_start\t''
restore_success\t''
restore_failure\t''
config_backup\t''
system_error\t''
backup_missed\t''
user_login\t''
user_created\t''
test\t''"
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l to -d 'Also send to this notification URL (repeatable), e.g. ntfy://topic or discord://id/token; with --to no config file is needed' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l job -l task -d 'Job or task name, e.g. mysql-daily' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l status -d 'Override the status derived from the event name' -r -f -a "start\t''
success\t''
failure\t''
info\t''"
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l message -d 'What happened, in one sentence' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l error -d 'The error, e.g. the last line of the failing command' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -s t -l title -d 'Title text instead of the default one' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -s b -l body -d 'Body text instead of the default one' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l backup-id -d 'Identifier of the backup' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l backup-comment -d 'Comment of the backup' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l backup-date -d 'Date of the backup (RFC 3339)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l backup-size -d 'Size of the backup: bytes, or with a unit (1.5GiB, 700MB)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l tag -d 'Tag of the backup (repeatable)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l operator -d 'Who started it' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l source -d 'What triggered it (cron, manual, ...)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l host -d 'Host name shown in the notification (default: this host\'s name)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l started-at -d 'When the job started (RFC 3339)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l finished-at -d 'When the job finished (RFC 3339)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l duration -d 'How long the job took, e.g. "4m 12s"' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l dump-path -d 'Where the dump was written' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l id -d 'Run id shared by the start and end events (default: a new UUID)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l field -d 'Extra field KEY=VALUE (repeatable); shows up under `fields`' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l payload -d 'Read a JSON object of event keys from FILE, or stdin with `-`; flags win over it' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l endpoint -d 'Only send to this endpoint (repeatable)' -r -f -a "(__fish_bnotify_endpoints)"
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l attach -d 'Attach a file, e.g. the backup\'s log (repeatable); big files are cut to their end' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l deadline -d 'Give up on everything still pending after this long (e.g. 30s, 2m)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l dry-run -d 'Print each request that would be sent (secrets masked) and send nothing'
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l best-effort -d 'Exit 0 even when a delivery failed (failures are still printed and kept)'
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand send" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and not __fish_seen_subcommand_from notify help" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and not __fish_seen_subcommand_from notify help" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and not __fish_seen_subcommand_from notify help" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and not __fish_seen_subcommand_from notify help" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and not __fish_seen_subcommand_from notify help" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and not __fish_seen_subcommand_from notify help" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and not __fish_seen_subcommand_from notify help" -f -a "notify" -d 'Send EVENT with sample data to its subscribers; without EVENT, send `test` to every enabled endpoint'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and not __fish_seen_subcommand_from notify help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from notify" -l endpoint -d 'Only this endpoint (repeatable)' -r -f -a "(__fish_bnotify_endpoints)"
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from notify" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from notify" -l dry-run -d 'Show what would be sent, send nothing'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from notify" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from notify" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from notify" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from notify" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from notify" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from help" -f -a "notify" -d 'Send EVENT with sample data to its subscribers; without EVENT, send `test` to every enabled endpoint'
complete -c bnotify -n "__fish_bnotify_using_subcommand test; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -f -a "check" -d 'Load the config and report every problem found (exit 2 on errors)'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -f -a "show" -d 'Print the effective config with defaults filled in and secrets masked'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -f -a "path" -d 'Print which config file is used and why'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -f -a "init" -d 'Write a short, commented starter config (mode 0600) for the chosen endpoint types'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and not __fish_seen_subcommand_from check show path init help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from check" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from check" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from path" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from path" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from init" -l type -d 'Endpoint types to include, comma-separated (default: webhook)' -r -f -a "webhook\t''
bark\t''
discord\t''
slack\t''
teams\t''
gotify\t''
ntfy\t''
telegram\t''
twilio\t''
healthchecks\t''
pagerduty\t''
email\t''
command\t''
pushover\t''
matrix\t''
mattermost\t''
rocketchat\t''
googlechat\t''
zulip\t''
signal\t''
apprise\t''
alertmanager\t''
mqtt\t''
pushgateway\t''
textfile\t''"
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from init" -l path -d 'Write here instead of $XDG_CONFIG_HOME/bnotify/config.yaml (~/.config/...)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from init" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from init" -l force -d 'Replace an existing file'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from init" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from init" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from init" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "check" -d 'Load the config and report every problem found (exit 2 on errors)'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the effective config with defaults filled in and secrets masked'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print which config file is used and why'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "init" -d 'Write a short, commented starter config (mode 0600) for the chosen endpoint types'
complete -c bnotify -n "__fish_bnotify_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand endpoints" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand endpoints" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand endpoints" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand endpoints" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand endpoints" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand endpoints" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand events" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand events" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand events" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand events" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand events" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand events" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -l job -l task -d 'Job name the events carry, e.g. mysql-daily' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -l kind -d 'Which events to send' -r -f -a "backup\t'backup_start, backup_success, backup_failure'
restore\t'restore_start, restore_success, restore_failure'"
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -l endpoint -d 'Only notify this endpoint (repeatable)' -r -f -a "(__fish_bnotify_endpoints)"
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -l attach-output -d 'Attach the command\'s output (stdout and stderr, last 5 MiB) to the outcome event'
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c bnotify -n "__fish_bnotify_using_subcommand run" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -f -a "list" -d 'List the notifications waiting to be sent again'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -f -a "flush" -d 'Send every waiting notification again; delivered ones leave the outbox'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -f -a "purge" -d 'Delete waiting notifications without sending them (--older-than or --all)'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and not __fish_seen_subcommand_from list flush purge help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from list" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from flush" -l deadline -d 'Give up on what is still pending after this long' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from flush" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from flush" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from flush" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from flush" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from flush" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from flush" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from purge" -l older-than -d 'Only those queued longer ago than this (e.g. 3d, 90s)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from purge" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from purge" -l all -d 'Every waiting notification'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from purge" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from purge" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from purge" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from purge" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from purge" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the notifications waiting to be sent again'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "flush" -d 'Send every waiting notification again; delivered ones leave the outbox'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "purge" -d 'Delete waiting notifications without sending them (--older-than or --all)'
complete -c bnotify -n "__fish_bnotify_using_subcommand outbox; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and not __fish_seen_subcommand_from show reset help" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and not __fish_seen_subcommand_from show reset help" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and not __fish_seen_subcommand_from show reset help" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and not __fish_seen_subcommand_from show reset help" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and not __fish_seen_subcommand_from show reset help" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and not __fish_seen_subcommand_from show reset help" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and not __fish_seen_subcommand_from show reset help" -f -a "show" -d 'Print the last outcome told per endpoint and task, and the throttle windows'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and not __fish_seen_subcommand_from show reset help" -f -a "reset" -d 'Forget it all, or only what concerns one task'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and not __fish_seen_subcommand_from show reset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from show" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from reset" -l task -l job -d 'Only this task' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from reset" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from reset" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the last outcome told per endpoint and task, and the throttle windows'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Forget it all, or only what concerns one task'
complete -c bnotify -n "__fish_bnotify_using_subcommand state; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l task -l job -d 'Tasks to check, as a glob over the task names the state has seen (e.g. \'mysql-*\')' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l max-age -d 'Overdue when the last success is older than this (e.g. 26h, 8d)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l event -d 'Event to send for each overdue task' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l host -d 'Host name shown in the notification (default: this host\'s name)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l endpoint -d 'Only send to this endpoint (repeatable)' -r -f -a "(__fish_bnotify_endpoints)"
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l deadline -d 'Give up on everything still pending after this long (e.g. 30s, 2m)' -r
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l dry-run -d 'Print each request that would be sent (secrets masked) and send nothing'
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l best-effort -d 'Exit 0 even when a delivery failed (failures are still printed and kept)'
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand overdue" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand completions" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand completions" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand completions" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand completions" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand completions" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand completions" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand man" -l dir -d 'Write bnotify.1, one page per subcommand and bnotify.yaml.5 here instead of printing bnotify.1' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand man" -l config -d 'Config file to use instead of the discovered one (see `bnotify config path`)' -r -F
complete -c bnotify -n "__fish_bnotify_using_subcommand man" -s v -l verbose -d 'Say more: -v adds request lines, -vv adds (redacted) headers and bodies'
complete -c bnotify -n "__fish_bnotify_using_subcommand man" -s q -l quiet -d 'Print only failures and warnings'
complete -c bnotify -n "__fish_bnotify_using_subcommand man" -l json -d 'Print one JSON report on stdout instead of human lines'
complete -c bnotify -n "__fish_bnotify_using_subcommand man" -s h -l help -d 'Print help'
complete -c bnotify -n "__fish_bnotify_using_subcommand man" -s V -l version -d 'Print version'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "send" -d 'Send one event to every endpoint subscribed to it'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "test" -d 'Send sample notifications to check that endpoints work'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "config" -d 'Create or inspect the configuration'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "endpoints" -d 'List the configured endpoints (secrets masked)'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "events" -d 'List the known events and the status each maps to'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "run" -d 'Run a backup command and report its start and its outcome'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "outbox" -d 'Inspect or re-send notifications that could not be delivered'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "state" -d 'Show or clear the noise-control state (when: change, throttle)'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "overdue" -d 'Send backup_missed for each task that has not succeeded for too long'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "man" -d 'Print the man page, or write every page (with bnotify.yaml.5, the config file) into a directory'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and not __fish_seen_subcommand_from send test config endpoints events run outbox state overdue completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from test" -f -a "notify" -d 'Send EVENT with sample data to its subscribers; without EVENT, send `test` to every enabled endpoint'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "check" -d 'Load the config and report every problem found (exit 2 on errors)'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the effective config with defaults filled in and secrets masked'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print which config file is used and why'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "init" -d 'Write a short, commented starter config (mode 0600) for the chosen endpoint types'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "list" -d 'List the notifications waiting to be sent again'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "flush" -d 'Send every waiting notification again; delivered ones leave the outbox'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from outbox" -f -a "purge" -d 'Delete waiting notifications without sending them (--older-than or --all)'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "show" -d 'Print the last outcome told per endpoint and task, and the throttle windows'
complete -c bnotify -n "__fish_bnotify_using_subcommand help; and __fish_seen_subcommand_from state" -f -a "reset" -d 'Forget it all, or only what concerns one task'
