//! A token's address allow-list: IPv4 and IPv6 CIDR blocks it may be used from. Each block is
//! kept with its prefix as a string of bits over the 128-bit address (IPv4 mapped into
//! `::ffff:0:0/96`), so that "the client's address lies in a block" is a string prefix test
//! that Rust ([`allows`]) and SQL ([`sql`]) both make; a test holds them to each other in D1.

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv6Addr};

/// The most blocks one token may list.
pub const MAX_BLOCKS: usize = 50;
/// The widest blocks accepted: narrower than a /8 of IPv4 or a /16 of IPv6 is no limit.
pub const MIN_PREFIX_V4: u8 = 8;
pub const MIN_PREFIX_V6: u8 = 16;

/// 401 for a token presented from an address outside its allow-list.
pub const ADDRESS_REFUSED: &str = "Token not allowed from this address";

/// One block as stored: as written canonically, and its prefix bits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Block {
    pub cidr: String,
    pub bits: String,
}

/// The 128 bits of an address (IPv4 mapped), as '0' and '1'.
pub fn address_bits(ip: IpAddr) -> String {
    let v6 = match ip {
        IpAddr::V4(v4) => v4.to_ipv6_mapped(),
        IpAddr::V6(v6) => v6,
    };
    format!("{:0128b}", u128::from(v6))
}

/// The client's address as the bits [`allows`] and [`sql`] compare; `None` when it is not an
/// address (then no allow-list admits it).
pub fn client_bits(ip: Option<&str>) -> Option<String> {
    ip.and_then(|ip| ip.trim().parse::<IpAddr>().ok())
        .map(address_bits)
}

/// A request's `allowedAddresses`: absent or null for any address, or CIDR blocks (a bare
/// address is its own block); each malformed or too wide one is named.
pub fn parse(entries: Option<&[String]>) -> Result<Option<Vec<Block>>, String> {
    let Some(entries) = entries else {
        return Ok(None);
    };
    if entries.is_empty() {
        return Err("allowedAddresses lists no address: give null for any address".into());
    }
    if entries.len() > MAX_BLOCKS {
        return Err(format!(
            "allowedAddresses lists at most {MAX_BLOCKS} blocks"
        ));
    }
    entries
        .iter()
        .map(|e| block(e))
        .collect::<Result<_, _>>()
        .map(Some)
}

fn block(entry: &str) -> Result<Block, String> {
    let shown: String = entry.chars().take(60).collect();
    let bad = || {
        format!("allowedAddresses: \"{shown}\" is not an IPv4 or IPv6 address or CIDR block (such as 203.0.113.0/24 or 2001:db8::/32)")
    };
    let (address, prefix) = match entry.trim().split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (entry.trim(), None),
    };
    let ip: IpAddr = address.parse().map_err(|_| bad())?;
    let (max, min) = match ip {
        IpAddr::V4(_) => (32u8, MIN_PREFIX_V4),
        IpAddr::V6(_) => (128u8, MIN_PREFIX_V6),
    };
    let prefix = match prefix {
        None => max,
        Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
    };
    if prefix < min {
        return Err(format!(
            "allowedAddresses: \"{shown}\" is wider than a /{min}: that is no limit; list narrower blocks"
        ));
    }
    let offset = if ip.is_ipv4() { 96 } else { 0 };
    let bits: String = address_bits(ip)
        .chars()
        .take(offset + usize::from(prefix))
        .collect();
    // The canonical form: the block's first address and its prefix.
    let first = u128::from_str_radix(&format!("{bits:0<128}"), 2).map_err(|_| bad())?;
    let first = Ipv6Addr::from(first);
    let cidr = match (ip, first.to_ipv4_mapped()) {
        (IpAddr::V4(_), Some(v4)) => format!("{v4}/{prefix}"),
        _ => format!("{first}/{prefix}"),
    };
    Ok(Block { cidr, bits })
}

/// Whether a client at `client` (its bits, [`client_bits`]) may use a token with these
/// blocks (`None`: any address).
pub fn allows(blocks: Option<&[Block]>, client: Option<&str>) -> bool {
    match (blocks, client) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(blocks), Some(bits)) => blocks.iter().any(|b| bits.starts_with(&b.bits)),
    }
}

/// [`allows`] in SQL: `column` holds the blocks as JSON (NULL for any address) and `client`
/// is the placeholder bound to the client's bits (NULL when unknown).
pub fn sql(column: &str, client: &str) -> String {
    format!(
        "({column} IS NULL OR EXISTS (SELECT 1 FROM json_each({column}) b \
         WHERE substr({client}, 1, length(json_extract(b.value, '$.bits'))) = json_extract(b.value, '$.bits')))"
    )
}

/// In words, for a history event or an audit entry.
pub fn describe(blocks: Option<&[Block]>) -> String {
    match blocks {
        None => "any address".into(),
        Some(blocks) => blocks
            .iter()
            .map(|b| b.cidr.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(entries: &[&str]) -> Result<Option<Vec<Block>>, String> {
        let entries: Vec<String> = entries.iter().map(|e| (*e).to_owned()).collect();
        parse(Some(&entries))
    }

    #[test]
    fn blocks_are_read_canonically_and_checked() {
        let blocks = list(&["203.0.113.77/24", "2001:DB8::1/32", "198.51.100.7"])
            .unwrap()
            .unwrap();
        let cidrs: Vec<&str> = blocks.iter().map(|b| b.cidr.as_str()).collect();
        assert_eq!(
            cidrs,
            ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7/32"]
        );
        assert_eq!(blocks[0].bits.len(), 96 + 24);
        assert_eq!(parse(None), Ok(None));
        for (entry, says) in [
            ("edge", "is not an IPv4 or IPv6 address"),
            ("10.0.0.0/33", "is not an IPv4 or IPv6 address"),
            ("10.0.0.0/x", "is not an IPv4 or IPv6 address"),
            ("0.0.0.0/0", "is wider than a /8"),
            ("::/0", "is wider than a /16"),
        ] {
            let error = list(&[entry]).unwrap_err();
            assert!(
                error.contains(says) && error.contains(entry),
                "{entry}: {error}"
            );
        }
        assert!(list(&[]).unwrap_err().contains("give null for any address"));
    }

    #[test]
    fn an_address_is_allowed_inside_a_block_only() {
        let blocks = list(&["203.0.113.0/24", "2001:db8::/32"]).unwrap().unwrap();
        let at = |ip: &str| allows(Some(&blocks), client_bits(Some(ip)).as_deref());
        assert!(at("203.0.113.9") && at("2001:db8:ffff::1") && at("::ffff:203.0.113.200"));
        assert!(!at("203.0.114.9") && !at("2001:db9::1") && !at("::cb00:7109"));
        assert!(
            !allows(Some(&blocks), None),
            "an unknown address is outside"
        );
        assert!(allows(None, None), "no list: any address");
        assert_eq!(describe(Some(&blocks)), "203.0.113.0/24, 2001:db8::/32");
    }
}
