//! A bad command line as one line, as every other bad input is: clap's message without
//! its usage block and tips, with a pointer to the command's `--help`.

use super::Options;

/// Runs the command the options name.
/// Help and version are printed as clap writes them (exit 0); a bad command line is one
/// line, as every other bad input is: clap's message with its indented details joined
/// on, without the usage block and tips, and where to read more (exit 2).
pub fn parse_error(e: clap::Error) -> std::process::ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = e.print();
        return std::process::ExitCode::from(e.exit_code() as u8);
    }
    let text = e.render().to_string();
    // The command the arguments name, for the pointer to its help.
    let known = <Options as clap::CommandFactory>::command();
    let sub = std::env::args().skip(1).find(|a| {
        !a.starts_with('-') && known.get_subcommands().any(|c| c.get_name() == a.as_str())
    });
    let fallback = sub.map_or("loyalsim".to_string(), |s| format!("loyalsim {s}"));
    eprintln!("{}", one_line_parse_error(&text, &fallback));
    std::process::ExitCode::from(crate::error::EXIT_BAD_INPUT)
}

/// clap's rendered error as one line: `error: unexpected argument '--bogus' found (see
/// loyalsim sweep --help)`.
fn one_line_parse_error(text: &str, fallback: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let mut usage = None;
    for line in text.lines() {
        let t = line.trim();
        if let Some(u) = t.strip_prefix("Usage: ") {
            usage = u.split(" [").next().and_then(|u| u.split(" <").next());
            continue;
        }
        if t.is_empty() || t.starts_with("tip:") || t.starts_with("For more information") {
            continue;
        }
        parts.push(t);
    }
    let mut line = parts.join(" ");
    if !line.starts_with("error:") {
        line = format!("error: {line}");
    }
    let command = usage.unwrap_or(fallback).trim();
    format!("{line} (see {command} --help)")
}

#[cfg(test)]
mod parse_error_tests {
    use super::one_line_parse_error;

    #[test]
    fn clap_errors_become_one_line_with_a_pointer_to_help() {
        let text = "error: unexpected argument '--bogus' found\n\n  tip: to pass '--bogus' as a \
                    value, use '-- --bogus'\n\nUsage: loyalsim sweep [OPTIONS] [SCENARIO]\n\n\
                    For more information, try '--help'.\n";
        assert_eq!(
            one_line_parse_error(text, "loyalsim"),
            "error: unexpected argument '--bogus' found (see loyalsim sweep --help)"
        );
        let text = "error: the following required arguments were not provided:\n  <DIR>...\n\n\
                    Usage: loyalsim merge <DIR>...\n\nFor more information, try '--help'.\n";
        assert_eq!(
            one_line_parse_error(text, "loyalsim"),
            "error: the following required arguments were not provided: <DIR>... (see \
             loyalsim merge --help)"
        );
        let text = "error: invalid value 'x' for '--threads <N>'\n\nFor more information, try \
                    '--help'.\n";
        assert_eq!(
            one_line_parse_error(text, "loyalsim run"),
            "error: invalid value 'x' for '--threads <N>' (see loyalsim run --help)"
        );
    }
}
