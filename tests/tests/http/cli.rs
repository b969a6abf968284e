use std::io::Write;
use std::process::Stdio;

use super::*;

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn serve_refuses_an_unknown_database_scheme() {
    let dir = tempdir();
    let out = gazette_tests::gazette_cmd(dir.path())
        .args(["serve", "--database-url", "mysql://x"])
        .output()
        .expect("run gazette");
    assert!(!out.status.success(), "should fail");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line, got: {stderr}");
    assert!(lines[0].contains("database_url"), "{stderr}");
    assert!(lines[0].contains("mysql"), "{stderr}");
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "nothing created"
    );
}

#[test]
fn bad_config_values_name_the_key() {
    let dir = tempdir();
    let out = gazette_tests::gazette_cmd(dir.path())
        .args(["migrate"])
        .env("GAZETTE_SESSION_TTL_HOURS", "soon")
        .output()
        .expect("run gazette");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("GAZETTE_SESSION_TTL_HOURS"), "{stderr}");
}

#[test]
fn migrate_creates_a_sqlite_database() {
    let dir = tempdir();
    let out = gazette_tests::gazette_cmd(dir.path())
        .args(["migrate", "--data-dir", "site-data"])
        .output()
        .expect("run gazette");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("site-data/gazette.db").is_file());
    let again = gazette_tests::gazette_cmd(dir.path())
        .args(["migrate", "--data-dir", "site-data"])
        .output()
        .expect("run gazette");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("up to date"));
}

fn user_create(
    db_url: &str,
    cwd: &std::path::Path,
    email: &str,
    role: &str,
    stdin: &str,
) -> std::process::Output {
    let mut child = gazette_tests::gazette_cmd(cwd)
        .args([
            "user",
            "create",
            "--database-url",
            db_url,
            "--email",
            email,
            "--name",
            "Cli Person",
            "--role",
            role,
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn gazette");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write password");
    child.wait_with_output().expect("wait")
}

http_test! {
    /// `gazette user create --password-stdin` against the database of a running
    /// server; the new user can then log in over HTTP.
    fn user_create_with_password_stdin(app: &TestApp) {
        let dir = tempdir();
        let url = app.db.url_string();
        let out = user_create(&url, dir.path(), "cli@example.com", "editor", "a long cli password\n");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("cli@example.com"), "{stdout}");
        assert!(!stdout.contains("a long cli password"), "the password is never echoed");
        let user = app.user_by_email("cli@example.com");
        assert_eq!(user.role(), cms_core::roles::Role::Editor);
        assert!(user.password_hash.as_deref().is_some_and(|h| h.starts_with("$argon2id$")));

        // Setup is closed now that someone can log in; the new user can.
        assert_eq!(app.browser.get("/admin/setup").status, 404);
        let b = app.login("cli@example.com", "a long cli password");
        assert_eq!(b.get("/admin/articles").status, 200);

        // Duplicates and short passwords are refused with the reason.
        let out = user_create(&url, dir.path(), "CLI@example.com", "editor", "another long password\n");
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("email"), "{}", String::from_utf8_lossy(&out.stderr));
        let out = user_create(&url, dir.path(), "short@example.com", "author", "short\n");
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("password"));

        // reset-password ends the user's sessions.
        let mut child = gazette_tests::gazette_cmd(dir.path())
            .args(["user", "reset-password", "--database-url", &url, "--email", "cli@example.com", "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        child.stdin.take().expect("stdin").write_all(b"a brand new password\n").expect("write");
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(b.get("/admin").status, 303, "old session ended");
        app.login("cli@example.com", "a brand new password");
    }
}
