//! A minimal DER reader for the structures x509-parser does not cover:
//! private keys (PKCS #1, SEC 1, PKCS #8), DH parameters (PKCS #3, X9.42),
//! and the tag/length header of names and keys. It never copies secret
//! bytes out except into the public-key form it derives.

/// One TLV: its tag byte, its contents, and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub contents: &'a [u8],
    pub whole: &'a [u8],
}

/// Read one TLV from the front of `input`; the rest follows it.
pub fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags do not occur in these structures
    }
    let first = *input.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *input.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    if end > input.len() {
        return None;
    }
    Some((
        Tlv {
            tag,
            contents: &input[hdr..end],
            whole: &input[..end],
        },
        &input[end..],
    ))
}

/// The TLVs of a constructed value's contents, in order.
pub fn children(mut contents: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !contents.is_empty() {
        let (t, rest) = read(contents)?;
        out.push(t);
        contents = rest;
    }
    Some(out)
}

/// Read a value that must be a SEQUENCE filling `input`, and return its children.
pub fn sequence(input: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let (t, rest) = read(input)?;
    if t.tag != 0x30 || !rest.is_empty() {
        return None;
    }
    children(t.contents)
}

/// The contents of the outer TLV (e.g. a Name without its SEQUENCE header).
pub fn contents(input: &[u8]) -> &[u8] {
    read(input).map(|(t, _)| t.contents).unwrap_or(input)
}

/// Wrap contents in a SEQUENCE header.
pub fn wrap_sequence(contents: &[u8]) -> Vec<u8> {
    let mut out = vec![0x30];
    let n = contents.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(contents);
    out
}

/// An unsigned big-endian INTEGER without leading zero bytes.
pub fn unsigned(int: &[u8]) -> &[u8] {
    let mut i = int;
    while i.len() > 1 && i[0] == 0 {
        i = &i[1..];
    }
    i
}

/// The bit length of an unsigned big-endian integer.
pub fn bit_len(int: &[u8]) -> u32 {
    let i = unsigned(int);
    match i.first() {
        None | Some(0) => 0,
        Some(&b) => (i.len() as u32 - 1) * 8 + (8 - b.leading_zeros()),
    }
}

/// The dotted form of an OBJECT IDENTIFIER's contents.
pub fn oid_string(contents: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut acc: u64 = 0;
    for (i, b) in contents.iter().enumerate() {
        acc = (acc << 7) | (b & 0x7f) as u64;
        if b & 0x80 == 0 {
            if parts.is_empty() && i < 8 {
                let (a, b) = if acc < 40 {
                    (0, acc)
                } else if acc < 80 {
                    (1, acc - 40)
                } else {
                    (2, acc - 80)
                };
                parts.push(a);
                parts.push(b);
            } else {
                parts.push(acc);
            }
            acc = 0;
        }
    }
    parts
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_and_integers() {
        let long = vec![0u8; 300];
        let w = wrap_sequence(&long);
        assert_eq!(&w[..4], &[0x30, 0x82, 0x01, 0x2c]);
        let (t, rest) = read(&w).unwrap();
        assert_eq!(t.contents.len(), 300);
        assert!(rest.is_empty());
        assert_eq!(bit_len(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_len(&[0x01, 0xff]), 9);
        assert_eq!(
            oid_string(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
            "1.2.840.10045.3.1.7"
        );
        assert!(read(&[0x30, 0x05, 0x00]).is_none());
    }
}
