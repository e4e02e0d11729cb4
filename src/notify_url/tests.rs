use serde_json::json;

use super::*;

fn keys_of(url: &str) -> (String, serde_json::Value, String) {
    let n = parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    (
        n.kind.to_string(),
        serde_json::Value::Object(n.keys),
        n.name,
    )
}

#[test]
fn every_scheme_reads_into_the_keys_of_its_type() {
    let cases = [
        (
            "json://127.0.0.1:8080/hook/a",
            "webhook",
            json!({"url": "http://127.0.0.1:8080/hook/a"}),
        ),
        (
            "jsons://u:p%40ss@h.example/x?method=put&+X-Api-Key=k1&-q=1",
            "webhook",
            json!({"url": "https://u:p%40ss@h.example/x?q=1", "method": "PUT", "headers": {"X-Api-Key": "k1"}}),
        ),
        ("form://h:81", "webhook", json!({"url": "http://h:81/"})),
        (
            "discord://1234567890/tok_EN-x",
            "discord",
            json!({"url": "https://discord.com/api/webhooks/1234567890/tok_EN-x"}),
        ),
        (
            "discord://bot@1234567890/tok",
            "discord",
            json!({"url": "https://discord.com/api/webhooks/1234567890/tok", "username": "bot"}),
        ),
        (
            "discord://tok@1234567890",
            "discord",
            json!({"url": "https://discord.com/api/webhooks/1234567890/tok"}),
        ),
        (
            "slack://T0AA/B0BB/XcCc",
            "slack",
            json!({"url": "https://hooks.slack.com/services/T0AA/B0BB/XcCc"}),
        ),
        (
            "slack://hook:T0AA-B0BB-XcCc@webhook",
            "slack",
            json!({"url": "https://hooks.slack.com/services/T0AA/B0BB/XcCc"}),
        ),
        (
            "workflows://prod.example.com:443/wf1/SiG",
            "teams",
            json!({"url": "https://prod.example.com:443/workflows/wf1/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SiG"}),
        ),
        (
            "gchat://AbCdEf/KeY/ToK",
            "googlechat",
            json!({"url": "https://chat.googleapis.com/v1/spaces/AbCdEf/messages?key=KeY&token=ToK"}),
        ),
        (
            "googlechat://chat.googleapis.com/v1/spaces/AbCdEf/messages?key=KeY&token=ToK",
            "googlechat",
            json!({"url": "https://chat.googleapis.com/v1/spaces/AbCdEf/messages?key=KeY&token=ToK"}),
        ),
        (
            "mmost://bot@chat.example:8065/tok?channel=ops",
            "mattermost",
            json!({"url": "http://chat.example:8065/hooks/tok", "username": "bot", "channel": "ops"}),
        ),
        (
            "mmosts://chat.example/sub/tok",
            "mattermost",
            json!({"url": "https://chat.example/sub/hooks/tok"}),
        ),
        (
            "mattermost://chat.example/tok/ops",
            "mattermost",
            json!({"url": "https://chat.example/hooks/tok", "channel": "ops"}),
        ),
        (
            "rockets://id%2Ftok@rc.example",
            "rocketchat",
            json!({"url": "https://rc.example/hooks/id/tok"}),
        ),
        (
            "rocketchat://rc.example/id/tok",
            "rocketchat",
            json!({"url": "https://rc.example/hooks/id/tok"}),
        ),
        (
            "zulip://backup@acme/KEY123/ops",
            "zulip",
            json!({"url": "https://acme.zulipchat.com", "bot_email": "backup-bot@acme.zulipchat.com", "api_key": "KEY123", "stream": "ops"}),
        ),
        (
            "zulip://backup-bot@acme/KEY123",
            "zulip",
            json!({"url": "https://acme.zulipchat.com", "bot_email": "backup-bot@acme.zulipchat.com", "api_key": "KEY123", "stream": "general"}),
        ),
        (
            "zulip://b%40z.example:KEY@z.example/?stream=ops&topic=nightly",
            "zulip",
            json!({"url": "https://z.example", "bot_email": "b@z.example", "api_key": "KEY", "stream": "ops", "topic": "nightly"}),
        ),
        (
            "matrixs://syt_tok@m.example/%23ops",
            "matrix",
            json!({"url": "https://m.example", "access_token": "syt_tok", "room": "#ops:m.example"}),
        ),
        (
            "matrix://syt_tok@m.example:8008/!abc:m.example",
            "matrix",
            json!({"url": "http://m.example:8008", "access_token": "syt_tok", "room": "!abc:m.example"}),
        ),
        (
            "matrix://:syt_tok@m.example/?rooms=!abc:m.example",
            "matrix",
            json!({"url": "https://m.example", "access_token": "syt_tok", "room": "!abc:m.example"}),
        ),
        ("ntfy://backups-x1", "ntfy", json!({"topic": "backups-x1"})),
        (
            "ntfy://u:pw@n.example:8080/t1?priority=high&tags=a,b",
            "ntfy",
            json!({"url": "http://n.example:8080", "topic": "t1", "user": "u", "password": "pw", "priority": 4, "tags": ["a", "b"]}),
        ),
        (
            "ntfys://tk_abc@n.example/t1",
            "ntfy",
            json!({"url": "https://n.example", "topic": "t1", "token": "tk_abc"}),
        ),
        (
            "ntfy://:tk_abc@n.example/t1?scheme=https",
            "ntfy",
            json!({"url": "https://n.example", "topic": "t1", "token": "tk_abc"}),
        ),
        (
            "gotify://g.example/sub/AppTok?priority=high",
            "gotify",
            json!({"url": "http://g.example/sub", "token": "AppTok", "priority": 8}),
        ),
        (
            "mqtts://bnotify:pw@broker.example:8883/site/backups?qos=0&retain=yes",
            "mqtt",
            json!({"url": "mqtts://broker.example:8883", "username": "bnotify", "password": "pw", "topic": "site/backups", "qos": 0, "retain": true}),
        ),
        (
            "mqtt://broker.example",
            "mqtt",
            json!({"url": "mqtt://broker.example"}),
        ),
        (
            "gotifys://g.example/AppTok",
            "gotify",
            json!({"url": "https://g.example", "token": "AppTok"}),
        ),
        (
            "bark://b.example:8080/DevKey?sound=bell",
            "bark",
            json!({"url": "http://b.example:8080/push", "device_key": "DevKey", "sound": "bell"}),
        ),
        (
            "bark://DevKey@api.day.app",
            "bark",
            json!({"url": "https://api.day.app/push", "device_key": "DevKey"}),
        ),
        (
            "pover://UserKey@AppTok/phone?priority=high",
            "pushover",
            json!({"token": "AppTok", "user": "UserKey", "device": "phone", "priority": 1}),
        ),
        (
            "pushover://shoutrrr:AppTok@UserKey/?devices=a,b",
            "pushover",
            json!({"token": "AppTok", "user": "UserKey", "device": "a,b"}),
        ),
        (
            "tgram://123456:ABC-def/-100987?topic=7",
            "telegram",
            json!({"bot_token": "123456:ABC-def", "chat_id": -100987, "thread_id": 7}),
        ),
        (
            "tgram://bot123456:ABC/@chan",
            "telegram",
            json!({"bot_token": "123456:ABC", "chat_id": "@chan"}),
        ),
        (
            "telegram://123456:ABC@telegram?chats=-100987",
            "telegram",
            json!({"bot_token": "123456:ABC", "chat_id": -100987}),
        ),
        (
            "twilio://ACsid:AuthTok@15551230000/15557654321/+15550001111",
            "twilio",
            json!({"account_sid": "ACsid", "auth_token": "AuthTok", "from": "+15551230000", "to": ["+15557654321", "+15550001111"]}),
        ),
        (
            "signal://s.example:8080/15551230000/15557654321/group.abc",
            "signal",
            json!({"url": "http://s.example:8080", "number": "+15551230000", "recipients": ["+15557654321", "group.abc"]}),
        ),
        (
            "apprises://a.example/api/cfgkey?tags=ops",
            "apprise",
            json!({"url": "https://a.example/api", "key": "cfgkey", "tag": "ops"}),
        ),
        (
            "pagerduty://IntKey@ApiKey?region=eu&severity=critical",
            "pagerduty",
            json!({"routing_key": "IntKey", "api_url": "https://events.eu.pagerduty.com", "severity": "critical"}),
        ),
        (
            "hc://0b0c6a4e-1111-2222-3333-444455556666",
            "healthchecks",
            json!({"url": "https://hc-ping.com/0b0c6a4e-1111-2222-3333-444455556666"}),
        ),
        (
            "hc://PingKey/db-backup",
            "healthchecks",
            json!({"url": "https://hc-ping.com/PingKey/db-backup"}),
        ),
        (
            "hcs://hc.example/ping/uuid-1",
            "healthchecks",
            json!({"url": "https://hc.example/ping/uuid-1"}),
        ),
        (
            "mailto://me:pw@mail.example?to=a@b.example,c@d.example",
            "email",
            json!({"smtp_host": "mail.example", "smtp_crypto": "none", "from": "me@mail.example", "smtp_user": "me", "smtp_password": "pw", "destinations": ["a@b.example", "c@d.example"]}),
        ),
        (
            "mailtos://me:pw@mail.example:465",
            "email",
            json!({"smtp_host": "mail.example", "smtp_port": 465, "smtp_crypto": "ssl", "from": "me@mail.example", "smtp_user": "me", "smtp_password": "pw", "destinations": ["me@mail.example"]}),
        ),
        (
            "mailtos://me:pw@example.com?smtp=smtp.example.com&name=Backups",
            "email",
            json!({"smtp_host": "smtp.example.com", "smtp_crypto": "starttls", "from": "Backups <me@example.com>", "smtp_user": "me", "smtp_password": "pw", "destinations": ["me@example.com"]}),
        ),
        (
            "smtp://me:pw@mail.example:587/?from=b@x.example&to=a@y.example",
            "email",
            json!({"smtp_host": "mail.example", "smtp_port": 587, "smtp_crypto": "starttls", "from": "b@x.example", "smtp_user": "me", "smtp_password": "pw", "destinations": ["a@y.example"]}),
        ),
    ];
    for (url, kind, want) in cases {
        let (k, got, _) = keys_of(url);
        assert_eq!(k, kind, "{url}");
        assert_eq!(got, want, "{url}");
    }
}

#[test]
fn default_names_hold_no_secret() {
    for (url, name, secret) in [
        (
            "discord://1234567890/SeCrEtToKeN",
            "discord-123456",
            "SeCrEtToKeN",
        ),
        (
            "ntfy://n.example/private-topic",
            "ntfy-n.example",
            "private-topic",
        ),
        ("ntfy://private-topic", "ntfy-ntfy.sh", "private-topic"),
        ("tgram://123456:SeCrEt/-100987", "telegram-100987", "SeCrEt"),
        ("gchat://AbCdEf/KeY/ToK", "googlechat-AbCdEf", "ToK"),
        ("hc://0b0c6a4e-1111", "healthchecks", "0b0c6a4e"),
        ("pover://UserKey@AppTok", "pushover", "AppTok"),
    ] {
        let (_, _, got) = keys_of(url);
        assert_eq!(got, name);
        assert!(!got.contains(secret));
    }
}

#[test]
fn errors_name_the_shape_and_mask_the_secret() {
    for (url, problem, shape) in [
        (
            "discord://1234567890",
            "the webhook token is missing",
            "discord://<webhook id>/<webhook token>",
        ),
        (
            "slack://T0/B0SeCrEt",
            "expected 3 webhook tokens, found 2",
            "slack://<token A>/<token B>/<token C>",
        ),
        (
            "tgram://123456:SeCrEt",
            "the chat id is missing",
            "tgram://<bot token>/<chat id>",
        ),
        ("tgram://123456:SeCrEt/1/2", "names 2 chats", "tgram://"),
        ("ntfy://h.example/t1/t2SeCrEt", "names 2 topics", "ntfy://"),
        (
            "gotify://h.example:99999/SeCrEt",
            "invalid port",
            "gotify://host",
        ),
        (
            "ntfy://h/SeCrEt?bogus=1",
            "unknown option \"bogus\"",
            "ntfy://",
        ),
        (
            "matrix://u:SeCrEt@m.example/%23r",
            "access token",
            "matrix://<access token>@",
        ),
        (
            "rocket://u:SeCrEt@rc.example",
            "incoming webhook",
            "rocket://",
        ),
        (
            "smtp://u:SeCrEt@h:25/?from=a@b",
            "the to option is missing",
            "smtp://",
        ),
        ("nope://x/SeCrEt", "unknown scheme", "README"),
        (
            "msteams://acme/a/b/SeCrEt",
            "retired Office 365 connector",
            "workflows://",
        ),
    ] {
        let e = parse(url).expect_err(url);
        let text = format!("{e}\n{}", e.hint());
        assert!(text.contains(problem), "{url}: {text}");
        assert!(text.contains(shape), "{url}: {text}");
        assert!(!text.contains("SeCrEt"), "{url}: {text}");
    }
}

#[test]
fn space_ids_keep_their_case_and_hash_is_a_target() {
    let (_, k, _) = keys_of("gchat://AAQAxYz/k/t");
    assert!(k["url"].as_str().unwrap().contains("/spaces/AAQAxYz/"));
    let (_, k, _) = keys_of("matrixs://tok@m.example/#ops");
    assert_eq!(k["room"], "#ops:m.example");
    let (_, k, _) = keys_of("mmost://chat.example/tok/#ops");
    assert_eq!(k["channel"], "ops");
}
