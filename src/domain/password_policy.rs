//! What Portico accepts as a new password (NIST SP 800-63B: length over composition rules).

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

/// Returns the message key of the first problem, or `Ok` when the password is acceptable.
pub fn check_new_password(password: &str, confirm: &str, email: &str) -> Result<(), &'static str> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err("password.too_short");
    }
    if len > MAX_LEN {
        return Err("password.too_long");
    }
    if password.trim().is_empty() || password.eq_ignore_ascii_case(email) {
        return Err("password.too_weak");
    }
    let first = password.chars().next();
    if password.chars().all(|c| Some(c) == first) {
        return Err("password.too_weak");
    }
    if password != confirm {
        return Err("password.mismatch");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_enough_matching_password_is_accepted() {
        assert_eq!(
            check_new_password("correct horse", "correct horse", "a@b.c"),
            Ok(())
        );
    }

    #[test]
    fn short_repeated_mismatched_or_email_passwords_are_refused() {
        assert_eq!(
            check_new_password("short", "short", "a@b.c"),
            Err("password.too_short")
        );
        assert_eq!(
            check_new_password("aaaaaaaaaaaa", "aaaaaaaaaaaa", "a@b.c"),
            Err("password.too_weak")
        );
        assert_eq!(
            check_new_password("ops@acme.test", "ops@acme.test", "ops@acme.test"),
            Err("password.too_weak")
        );
        assert_eq!(
            check_new_password("correct horse", "correct h0rse", "a@b.c"),
            Err("password.mismatch")
        );
        let long = "x".repeat(129) + "y";
        assert_eq!(
            check_new_password(&long, &long, "a@b.c"),
            Err("password.too_long")
        );
    }
}
