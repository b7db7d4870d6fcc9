//! Bytes from the hex forms people paste: plain or spaced hex, `xxd`, `od -tx1`, `hexdump -C` (their
//! offsets, ASCII columns and `*` repeat lines included) and C arrays (`0x00, 0x01,` as `xxd -i` writes).

/// Parses `text` in any of the forms above, line by line; `#` starts a comment. An error names the line.
pub(crate) fn parse(text: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    // For dumps that elide repeated lines with `*`: the last line's bytes, and whether a `*` is pending.
    let mut previous: Vec<u8> = Vec::new();
    let mut repeat_pending = false;
    // The radix of the offsets once a dump has shown one: its last line is the end offset alone.
    let mut offset_radix = None;
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        if line == "*" {
            repeat_pending = true;
            continue;
        }
        let parsed = match offset_radix {
            Some(base) if !line.contains(char::is_whitespace) => Line {
                offset: Some(radix(line, base).map_err(|e| format!("line {number}: {e}"))?),
                radix: Some(base),
                bytes: Vec::new(),
            },
            _ => parse_line(line).map_err(|e| format!("line {number}: {e}"))?,
        };
        offset_radix = offset_radix.or(parsed.radix);
        if let Some(offset) = parsed.offset {
            if repeat_pending {
                fill_repeats(&mut bytes, &previous, offset).map_err(|e| format!("line {number}: {e}"))?;
                repeat_pending = false;
            }
            if bytes.len() != offset {
                return Err(format!(
                    "line {number}: the dump says offset {offset:#x}, but {:#x} bytes came before it",
                    bytes.len()
                ));
            }
        } else if repeat_pending {
            return Err(format!(
                "line {number}: a `*` repeat line must be followed by an offset"
            ));
        }
        if !parsed.bytes.is_empty() {
            previous.clone_from(&parsed.bytes);
        }
        bytes.extend_from_slice(&parsed.bytes);
    }
    if repeat_pending {
        return Err("the dump ends with a `*` repeat line and no final offset".to_owned());
    }
    Ok(bytes)
}

/// One line's bytes, and the offset the dump printed before them (xxd, od, hexdump) with its radix.
struct Line {
    offset: Option<usize>,
    radix: Option<u32>,
    bytes: Vec<u8>,
}

fn parse_line(line: &str) -> Result<Line, String> {
    // hexdump -C: `00000010  03 00 ...  |....|`; its last line is the offset alone.
    if let Some((hex, _ascii)) = line.split_once('|') {
        let mut tokens = hex.split_whitespace();
        let offset = tokens.next().map(|t| radix(t, 16)).transpose()?;
        return Ok(Line {
            offset,
            radix: Some(16),
            bytes: byte_tokens(tokens)?,
        });
    }
    let first = line.split_whitespace().next().unwrap_or_default();
    // xxd: `00000010: 0300 0000 ...  ................`; the ASCII column starts after two spaces.
    if let Some(offset) = first.strip_suffix(':') {
        let rest = &line[first.len()..];
        let hex = rest.trim_start().split("  ").next().unwrap_or_default();
        return Ok(Line {
            offset: Some(radix(offset, 16)?),
            radix: Some(16),
            bytes: hex_digits(&hex.split_whitespace().collect::<String>())?,
        });
    }
    // C arrays: `0x00, 0x01,`; the declaration around them (`unsigned char m[] = {`, `};`, and the
    // `unsigned int m_len = 256;` that `xxd -i` adds) carries no bytes.
    let braces = line.contains('{') || line.contains('}');
    if !braces && line.ends_with(';') && !line.contains("0x") {
        return Ok(Line {
            offset: None,
            radix: None,
            bytes: Vec::new(),
        });
    }
    if braces || (line.contains("0x") && line.contains(',')) {
        let body = line.rsplit_once('{').map_or(line, |(_, b)| b);
        let body = body.split_once('}').map_or(body, |(b, _)| b);
        let tokens = body.split(',').map(str::trim).filter(|t| !t.is_empty());
        return tokens
            .map(|t| {
                let digits = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
                match digits.len() {
                    1 | 2 => u8::from_str_radix(digits, 16).map_err(|_| format!("`{t}` is not a byte")),
                    _ => Err(format!("`{t}` is not a byte")),
                }
            })
            .collect::<Result<Vec<u8>, String>>()
            .map(|bytes| Line {
                offset: None,
                radix: None,
                bytes,
            });
    }
    // od -tx1: a 7-digit octal offset, then two-digit bytes; its last line is the offset alone.
    let tokens: Vec<&str> = line.split_whitespace().collect();
    if first.len() == 7 && first.bytes().all(|b| (b'0'..=b'7').contains(&b)) && tokens[1..].iter().all(|t| t.len() == 2)
    {
        return Ok(Line {
            offset: Some(radix(first, 8)?),
            radix: Some(8),
            bytes: byte_tokens(tokens[1..].iter().copied())?,
        });
    }
    // Plain hex, spaced or not, with an optional 0x.
    let digits: String = tokens.concat();
    Ok(Line {
        offset: None,
        radix: None,
        bytes: hex_digits(digits.strip_prefix("0x").unwrap_or(&digits))?,
    })
}

/// Repeats `line` until `bytes` reaches `offset`, as a `*` line says.
fn fill_repeats(bytes: &mut Vec<u8>, line: &[u8], offset: usize) -> Result<(), String> {
    if line.is_empty() || offset < bytes.len() || !(offset - bytes.len()).is_multiple_of(line.len()) {
        return Err(format!("a `*` repeat does not reach offset {offset:#x} in whole lines"));
    }
    if offset > 1 << 20 {
        return Err(format!("offset {offset:#x} is past any message"));
    }
    while bytes.len() < offset {
        bytes.extend_from_slice(line);
    }
    Ok(())
}

fn radix(token: &str, base: u32) -> Result<usize, String> {
    usize::from_str_radix(token, base).map_err(|_| format!("`{token}` is not an offset"))
}

fn byte_tokens<'a>(tokens: impl Iterator<Item = &'a str>) -> Result<Vec<u8>, String> {
    tokens
        .map(|t| match t.len() {
            2 => u8::from_str_radix(t, 16).map_err(|_| format!("`{t}` is not a hex byte")),
            _ => Err(format!("`{t}` is not a two-digit hex byte")),
        })
        .collect()
}

fn hex_digits(digits: &str) -> Result<Vec<u8>, String> {
    if let Some((i, c)) = digits.chars().enumerate().find(|(_, c)| !c.is_ascii_hexdigit()) {
        return Err(format!("`{c}` at character {} is not a hex digit", i + 1));
    }
    if !digits.len().is_multiple_of(2) {
        return Err(format!("odd number of hex digits ({}): give whole bytes", digits.len()));
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).map_err(|e| format!("byte {}: {e}", i / 2)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn message() -> Vec<u8> {
        let mut m = vec![0u8; 256];
        m[..5].copy_from_slice(&[0x00, 0x00, 0x01, 0x80, 0x80]);
        m[16] = 3;
        m[20..22].copy_from_slice(&[2, 1]);
        m[56..58].copy_from_slice(&[0xf8, 0x03]);
        m
    }

    #[test]
    fn every_dump_form_gives_the_same_bytes() {
        let m = message();
        let xxd = "00000000: 0000 0180 8000 0000 0000 0000 0000 0000  ................\n\
                   00000010: 0300 0000 0201 0000 0000 0000 0000 0000  ................\n\
                   00000020: 0000 0000 0000 0000 0000 0000 0000 0000  ................\n\
                   00000030: 0000 0000 0000 0000 f803 0000 0000 0000  ........11..f0..\n";
        let od = "0000000 00 00 01 80 80 00 00 00 00 00 00 00 00 00 00 00\n\
                  0000020 03 00 00 00 02 01 00 00 00 00 00 00 00 00 00 00\n\
                  0000040 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n\
                  0000060 00 00 00 00 00 00 00 00 f8 03 00 00 00 00 00 00\n\
                  0000100 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n\
                  *\n\
                  0000400\n";
        let hexdump = "00000000  00 00 01 80 80 00 00 00  00 00 00 00 00 00 00 00  |................|\n\
                       00000010  03 00 00 00 02 01 00 00  00 00 00 00 00 00 00 00  |................|\n\
                       00000020  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n\
                       00000030  00 00 00 00 00 00 00 00  f8 03 00 00 00 00 00 00  |................|\n\
                       00000040  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|\n\
                       *\n\
                       00000100\n";
        assert_eq!(parse(xxd).unwrap(), m[..64]);
        assert_eq!(parse(od).unwrap(), m);
        assert_eq!(parse(hexdump).unwrap(), m);
        let c_array: String = m.iter().map(|b| format!("0x{b:02x}, ")).collect();
        let c = format!("unsigned char m[] = {{\n  {c_array}\n}};\nunsigned int m_len = 256;\n");
        assert_eq!(parse(&c).unwrap(), m);
        let plain = "# an I/O port intercept\n00000180 80 00 0000\n\n0000000000000000\n";
        assert_eq!(parse(plain).unwrap(), m[..16]);
    }

    #[test]
    fn bad_lines_are_named() {
        assert_eq!(
            parse("00\nzz\n").unwrap_err(),
            "line 2: `z` at character 1 is not a hex digit"
        );
        assert_eq!(
            parse("0000000 00 01\n0000010 02\n").unwrap_err(),
            "line 2: the dump says offset 0x8, but 0x2 bytes came before it"
        );
        assert_eq!(
            parse("00000000  00 01  |..|\n*\n").unwrap_err(),
            "the dump ends with a `*` repeat line and no final offset"
        );
        assert_eq!(parse("0x00, 0x100,").unwrap_err(), "line 1: `0x100` is not a byte");
    }
}
