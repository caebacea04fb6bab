//! IP network functions: `cidrhost`, `cidrnetmask`, `cidrsubnet`, `cidrsubnets`.
//!
//! The logic works on plain integers (an address is a `u128` and a bit length, 32 or 128) and
//! follows what Terraform does: its address parser (Go 1.16's `net.ParseCIDR`, kept by
//! Terraform as `internal/ipaddr`, which still accepts leading zeros in IPv4 octets), the
//! `go-cidr` arithmetic (host and subnet numbering, `PreviousSubnet`/`NextSubnet` for
//! `cidrsubnets`) and Go's way of printing addresses (RFC 5952 `::` compression, IPv4-mapped
//! IPv6 addresses printed as IPv4). Error texts are Terraform's.
//!
//! Depends on `model::value` only through the thin adapters at the bottom.

use std::fmt::Write as _;

use super::{FnError, FnResult, arg_int, arg_str};
use crate::model::types::Type;
use crate::model::value::Value;

/// A parsed CIDR prefix: the network address (host bits cleared), its length in bits (32 or
/// 128) and the prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Network {
    addr: u128,
    bits: u32,
    prefix: u32,
}

impl Network {
    /// The netmask as an address of `bits` bits.
    fn mask(bits: u32, prefix: u32) -> u128 {
        let all = all_ones(bits);
        if prefix == 0 {
            0
        } else {
            all & !(all >> prefix)
        }
    }

    fn new(addr: u128, bits: u32, prefix: u32) -> Self {
        Self {
            addr: addr & Self::mask(bits, prefix),
            bits,
            prefix,
        }
    }

    /// The last address of the network.
    fn last(self) -> u128 {
        self.addr | (all_ones(self.bits) & !Self::mask(self.bits, self.prefix))
    }

    fn contains(self, addr: u128) -> bool {
        addr & Self::mask(self.bits, self.prefix) == self.addr
    }
}

impl std::fmt::Display for Network {
    /// Go's `IPNet.String()`: the address, `/`, the prefix length.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_network(self.addr, self.bits, self.prefix))
    }
}

fn all_ones(bits: u32) -> u128 {
    if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    }
}

fn is_v4_mapped(addr: u128) -> bool {
    addr >> 32 == 0xffff
}

/// Go's `dtoi`: leading decimal digits (at least one) while below 0xFFFFFF; the value and how
/// many bytes were read.
fn dtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        n = n * 10 + u32::from(s[i] - b'0');
        if n >= 0x00ff_ffff {
            return None;
        }
        i += 1;
    }
    (i > 0).then_some((n, i))
}

/// Go's `xtoi`: leading hexadecimal digits, as [`dtoi`].
fn xtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut i = 0;
    while i < s.len() {
        let Some(d) = char::from(s[i]).to_digit(16) else {
            break;
        };
        n = n * 16 + d;
        if n >= 0x00ff_ffff {
            return None;
        }
        i += 1;
    }
    (i > 0).then_some((n, i))
}

/// An IPv4 address in dotted decimal (leading zeros allowed, as Go 1.16).
fn parse_ipv4(s: &[u8]) -> Option<u32> {
    let mut rest = s;
    let mut out: u32 = 0;
    for i in 0..4 {
        if rest.is_empty() {
            return None;
        }
        if i > 0 {
            if rest[0] != b'.' {
                return None;
            }
            rest = &rest[1..];
        }
        let (n, c) = dtoi(rest)?;
        if n > 0xff {
            return None;
        }
        rest = &rest[c..];
        out = (out << 8) | n;
    }
    rest.is_empty().then_some(out)
}

/// An IPv6 address (`::` once, an embedded IPv4 tail allowed), as Go 1.16's `parseIPv6`.
fn parse_ipv6(s: &[u8]) -> Option<u128> {
    let mut ip = [0u8; 16];
    let mut ellipsis: Option<usize> = None;
    let mut s = s;
    if s.len() >= 2 && s[0] == b':' && s[1] == b':' {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return Some(0);
        }
    }
    let mut i = 0;
    while i < 16 {
        let (n, c) = xtoi(s)?;
        if n > 0xffff {
            return None;
        }
        if c < s.len() && s[c] == b'.' {
            if ellipsis.is_none() && i != 12 {
                return None;
            }
            if i + 4 > 16 {
                return None;
            }
            let v4 = parse_ipv4(s)?;
            ip[i..i + 4].copy_from_slice(&v4.to_be_bytes());
            s = &[];
            i += 4;
            break;
        }
        // Both fit: n <= 0xffff was checked.
        ip[i] = u8::try_from(n >> 8).unwrap_or(0);
        ip[i + 1] = u8::try_from(n & 0xff).unwrap_or(0);
        i += 2;
        s = &s[c..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' || s.len() == 1 {
            return None;
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis.is_some() {
                return None;
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return None;
    }
    if i < 16 {
        let e = ellipsis?;
        let n = 16 - i;
        for j in (e..i).rev() {
            ip[j + n] = ip[j];
        }
        for b in &mut ip[e..e + n] {
            *b = 0;
        }
    } else if ellipsis.is_some() {
        return None;
    }
    Some(u128::from_be_bytes(ip))
}

/// Go 1.16's `net.ParseCIDR`, as Terraform's `ipaddr.ParseCIDR`; the error is Go's text.
pub(super) fn parse_cidr(s: &str) -> Result<Network, String> {
    let error = || format!("invalid CIDR address: {s}");
    let (addr, mask) = s.split_once('/').ok_or_else(error)?;
    let (addr, bits) = match parse_ipv4(addr.as_bytes()) {
        Some(v4) => (u128::from(v4), 32),
        None => (parse_ipv6(addr.as_bytes()).ok_or_else(error)?, 128),
    };
    let (prefix, read) = dtoi(mask.as_bytes()).ok_or_else(error)?;
    if read != mask.len() || prefix > bits {
        return Err(error());
    }
    Ok(Network::new(addr, bits, prefix))
}

/// Go's `IP.String()` for an address of `bits` bits.
pub(super) fn format_ip(addr: u128, bits: u32) -> String {
    if bits == 32 || is_v4_mapped(addr) {
        let b = u32::try_from(addr & 0xffff_ffff).unwrap_or(0).to_be_bytes();
        return format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
    }
    let groups: Vec<u16> = (0..8)
        .map(|i| u16::try_from((addr >> (112 - 16 * i)) & 0xffff).unwrap_or(0))
        .collect();
    // The longest run of at least two zero groups (the first one on a tie) becomes "::".
    let (mut best_start, mut best_len) = (8, 0);
    let mut i = 0;
    while i < 8 {
        if groups[i] == 0 {
            let start = i;
            while i < 8 && groups[i] == 0 {
                i += 1;
            }
            if i - start > best_len && i - start >= 2 {
                (best_start, best_len) = (start, i - start);
            }
        } else {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if i == best_start {
            out.push_str("::");
            i += best_len;
            continue;
        }
        if i > 0 && !out.ends_with(':') {
            out.push(':');
        }
        // Writing to a String cannot fail.
        let _ = write!(out, "{:x}", groups[i]);
        i += 1;
    }
    out
}

/// `cidrhost`: the address numbered `num` in the network (negative numbers count from the end).
pub(super) fn host(prefix: &str, num: i128) -> Result<String, String> {
    let net = parse_cidr(prefix).map_err(|e| format!("invalid CIDR expression: {e}"))?;
    let host_bits = net.bits - net.prefix;
    let max = all_ones(host_bits);
    let offset = if num < 0 {
        // go-cidr: -1 is the last address, -2 the one before...
        let back = num.unsigned_abs() - 1;
        if back > max {
            return Err(format!(
                "prefix of {} does not accommodate a host numbered {}",
                net.prefix,
                i128::try_from(max).unwrap_or(i128::MAX) - i128::try_from(back).unwrap_or(0)
            ));
        }
        max - back
    } else {
        let n = num.unsigned_abs();
        if n > max {
            return Err(format!(
                "prefix of {} does not accommodate a host numbered {num}",
                net.prefix
            ));
        }
        n
    };
    // go-cidr numbers the hosts of an IPv4-mapped network as IPv4 ones, then shifts the
    // number into the top of the 128-bit address: Terraform gives "0:3::ffff:a00:0".
    let offset = if net.bits == 128 && is_v4_mapped(net.addr) {
        offset.checked_shl(96).unwrap_or(0)
    } else {
        offset
    };
    Ok(format_ip(net.addr | offset, net.bits))
}

/// `cidrnetmask`: the netmask of an IPv4 prefix in dotted form.
pub(super) fn netmask(prefix: &str) -> Result<String, String> {
    let net = parse_cidr(prefix).map_err(|e| format!("invalid CIDR expression: {e}"))?;
    if net.bits != 32 {
        return Err(format!("IPv6 addresses cannot have a netmask: {prefix}"));
    }
    Ok(format_ip(Network::mask(32, net.prefix), 32))
}

/// `cidrsubnet`: the subnet numbered `num` after extending the prefix by `newbits`.
///
/// As go-cidr's `SubnetBig`: the number is checked against the new bits through Go's
/// `big.Int.Uint64` (so only its magnitude counts) and OR-ed into the address as a signed big
/// integer, whose magnitude becomes the address; a negative extension is allowed and the
/// address is then not masked to the shorter prefix. What Go could not represent (it would
/// panic) is an error here.
pub(super) fn subnet(prefix: &str, newbits: i64, num: i128) -> Result<String, String> {
    let net = parse_cidr(prefix).map_err(|e| format!("invalid CIDR expression: {e}"))?;
    let new_prefix = i64::from(net.prefix) + newbits;
    if new_prefix > i64::from(net.bits) {
        return Err(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            net.prefix
        ));
    }
    let out_of_range = || format!("cannot extend prefix of {} by {newbits}", net.prefix);
    let new_prefix = u32::try_from(new_prefix).map_err(|_| out_of_range())?;
    // Go's uint64(1<<uint64(newBits)) - 1: shifts of 64 bits or more (and negative ones)
    // give 0, so the maximum is then every number.
    let max_num: u64 = match u32::try_from(newbits) {
        Ok(n) if n < 64 => (1u64 << n) - 1,
        _ => u64::MAX,
    };
    let magnitude = num.unsigned_abs();
    #[allow(clippy::cast_possible_truncation)]
    if magnitude as u64 > max_num {
        return Err(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {num}"
        ));
    }
    let shift = net.bits - new_prefix;
    let shifted = magnitude
        .checked_shl(shift)
        .filter(|v| v >> shift == magnitude);
    let addr = match shifted {
        Some(v) if num >= 0 => Some(net.addr | v),
        // x | a for a negative x is -(((|x| - 1) & !a) + 1): its magnitude is the address.
        Some(v) if v > 0 => ((v - 1) & !net.addr).checked_add(1),
        Some(_) => Some(net.addr),
        None => None,
    }
    .filter(|a| *a <= all_ones(net.bits))
    .ok_or_else(out_of_range)?;
    Ok(format_network(addr, net.bits, new_prefix))
}

/// Go's `IPNet.String()`: the address, `/`, the prefix length.
fn format_network(addr: u128, bits: u32, prefix: u32) -> String {
    // An IPv4-mapped IPv6 network prints as IPv4 with the mask's IPv4 part, as Go does.
    if bits == 128 && is_v4_mapped(addr) && prefix >= 96 {
        return format!("{}/{}", format_ip(addr & 0xffff_ffff, 32), prefix - 96);
    }
    format!("{}/{prefix}", format_ip(addr, bits))
}

/// Why `cidrsubnets` failed: the index of the offending argument (0 = the prefix) and the text.
pub(super) type SubnetsError = (usize, String);

/// `cidrsubnets`: consecutive subnets of the given sizes (in extra bits), packed in order.
pub(super) fn subnets(prefix: &str, newbits: &[i64]) -> Result<Vec<String>, SubnetsError> {
    let net = parse_cidr(prefix).map_err(|e| (0, format!("invalid CIDR expression: {e}")))?;
    let Some(&first) = newbits.first() else {
        return Ok(Vec::new());
    };
    let bits = net.bits;
    let first_len =
        u32::try_from((first + i64::from(net.prefix)).clamp(0, i64::from(bits))).unwrap_or(bits);
    // go-cidr's PreviousSubnet: the subnet of that size just before the network (wrapping).
    let mut current = Network::new(net.addr.wrapping_sub(1) & all_ones(bits), bits, first_len);
    let mut out = Vec::with_capacity(newbits.len());
    for (i, &length) in newbits.iter().enumerate() {
        if length < 1 {
            return Err((i + 1, "must extend prefix by at least one bit".into()));
        }
        if length > 32 {
            return Err((i + 1, "may not extend prefix by more than 32 bits".into()));
        }
        let length = length + i64::from(net.prefix);
        if length > i64::from(bits) {
            let protocol = if bits == 32 { "IPv4" } else { "IPv6" };
            return Err((
                i + 1,
                format!(
                    "would extend prefix to {length} bits, which is too long for an {protocol} address"
                ),
            ));
        }
        let length = u32::try_from(length).unwrap_or(bits);
        // go-cidr's NextSubnet.
        let containing = Network::new(current.last(), bits, length);
        let last = containing.last().wrapping_add(1) & all_ones(bits);
        let following = Network::new(last, bits, length);
        if last == 0 || !net.contains(following.addr) {
            return Err((
                i + 1,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {length} bits after {current}"
                ),
            ));
        }
        current = following;
        out.push(current.to_string());
    }
    Ok(out)
}

// Adapters to the registry.

/// A whole-number argument; Terraform's conversion error otherwise (a call error for
/// `cidrhost`/`cidrsubnet`, an argument error for `cidrsubnets`).
fn whole(args: &[Value], i: usize, as_arg: bool) -> Result<i64, FnError> {
    arg_int(args, i).map_err(|_| {
        let text = "value must be a whole number".to_owned();
        if as_arg {
            FnError::Arg(i, text)
        } else {
            FnError::Call(text)
        }
    })
}

fn arg_i128(args: &[Value], i: usize) -> Result<i128, FnError> {
    whole(args, i, false).map(i128::from)
}

pub(super) fn cidrhost(args: Vec<Value>) -> FnResult {
    host(arg_str(&args, 0)?, arg_i128(&args, 1)?)
        .map(Value::String)
        .map_err(FnError::Call)
}

pub(super) fn cidrnetmask(args: Vec<Value>) -> FnResult {
    netmask(arg_str(&args, 0)?)
        .map(Value::String)
        .map_err(FnError::Call)
}

pub(super) fn cidrsubnet(args: Vec<Value>) -> FnResult {
    subnet(
        arg_str(&args, 0)?,
        whole(&args, 1, false)?,
        arg_i128(&args, 2)?,
    )
    .map(Value::String)
    .map_err(FnError::Call)
}

pub(super) fn cidrsubnets(args: Vec<Value>) -> FnResult {
    let prefix = arg_str(&args, 0)?;
    let newbits = (1..args.len())
        .map(|i| whole(&args, i, true))
        .collect::<Result<Vec<_>, _>>()?;
    subnets(prefix, &newbits)
        .map(|v| Value::list(Type::String, v.into_iter().map(Value::String).collect()))
        .map_err(|(i, e)| FnError::Arg(i, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_cidr_masks_host_bits_and_accepts_leading_zeros() {
        let n = parse_cidr("010.1.2.3/16").unwrap();
        assert_eq!(n.to_string(), "10.1.0.0/16");
        assert_eq!(parse_cidr("::/0").unwrap().to_string(), "::/0");
        assert_eq!(
            parse_cidr("10.0.0.0").unwrap_err(),
            "invalid CIDR address: 10.0.0.0"
        );
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("10.0.0.256/8").is_err());
        assert!(parse_cidr("10.0.0.0/+8").is_err());
        assert!(parse_cidr("1::2::3/64").is_err());
        assert!(parse_cidr("1:2:3:4:5:6:7:8::/64").is_err());
        assert!(parse_cidr("::ffff:1.2.3/104").is_err());
    }

    #[test]
    fn ipv6_prints_as_go_does() {
        let p = |s: &str| format_ip(parse_ipv6(s.as_bytes()).unwrap(), 128);
        assert_eq!(p("fd00:0:0:0:0:0:0:22"), "fd00::22");
        assert_eq!(p("1:0:2:0:0:3:0:0"), "1:0:2::3:0:0");
        assert_eq!(p("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
        assert_eq!(p("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
        assert_eq!(p("::"), "::");
        assert_eq!(p("::1"), "::1");
        assert_eq!(p("1::"), "1::");
        assert_eq!(p("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(p("::10.0.0.1"), "::a00:1");
    }

    #[test]
    fn host_numbers_from_the_start_and_the_end() {
        assert_eq!(host("10.12.112.0/20", 16).unwrap(), "10.12.112.16");
        assert_eq!(host("10.0.0.0/8", -1).unwrap(), "10.255.255.255");
        assert_eq!(host("10.0.0.0/30", -4).unwrap(), "10.0.0.0");
        assert_eq!(
            host("10.0.0.0/30", 5).unwrap_err(),
            "prefix of 30 does not accommodate a host numbered 5"
        );
        assert_eq!(
            host("10.0.0.0/30", -5).unwrap_err(),
            "prefix of 30 does not accommodate a host numbered -1"
        );
        assert_eq!(
            host("fd00:fd12:3456:7890::/56", 34).unwrap(),
            "fd00:fd12:3456:7800::22"
        );
        assert_eq!(host("::ffff:10.0.0.0/104", 3).unwrap(), "0:3::ffff:a00:0");
        assert_eq!(
            host("::/0", -1).unwrap(),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
        );
        assert_eq!(
            host("10.0.0.0", 1).unwrap_err(),
            "invalid CIDR expression: invalid CIDR address: 10.0.0.0"
        );
    }

    #[test]
    fn netmask_is_ipv4_only() {
        assert_eq!(netmask("172.16.0.0/12").unwrap(), "255.240.0.0");
        assert_eq!(netmask("0.0.0.0/0").unwrap(), "0.0.0.0");
        assert_eq!(netmask("1.2.3.4/32").unwrap(), "255.255.255.255");
        assert_eq!(
            netmask("fd00::/64").unwrap_err(),
            "IPv6 addresses cannot have a netmask: fd00::/64"
        );
    }

    #[test]
    fn subnet_extends_the_prefix() {
        assert_eq!(subnet("172.16.0.0/12", 4, 2).unwrap(), "172.18.0.0/16");
        assert_eq!(subnet("10.1.2.3/16", 8, 1).unwrap(), "10.1.1.0/24");
        assert_eq!(subnet("10.1.2.0/24", 4, 15).unwrap(), "10.1.2.240/28");
        assert_eq!(subnet("10.1.2.0/24", 0, 0).unwrap(), "10.1.2.0/24");
        assert_eq!(
            subnet("fd00:fd12:3456:7890::/56", 16, 162).unwrap(),
            "fd00:fd12:3456:7800:a200::/72"
        );
        assert_eq!(
            subnet("10.0.0.0/24", 2, 4).unwrap_err(),
            "prefix extension of 2 does not accommodate a subnet numbered 4"
        );
        assert_eq!(
            subnet("10.0.0.0/30", 4, 0).unwrap_err(),
            "insufficient address space to extend prefix of 30 by 4"
        );
        assert_eq!(subnet("::/0", 128, 1).unwrap(), "::1/128");
        // What Terraform 1.11 answers for a negative extension or network number.
        assert_eq!(subnet("10.0.0.0/8", -1, 0).unwrap(), "10.0.0.0/7");
        assert_eq!(subnet("11.0.0.0/8", -1, 0).unwrap(), "11.0.0.0/7");
        assert_eq!(subnet("10.0.0.0/8", 4, -1).unwrap(), "0.16.0.0/12");
        assert_eq!(subnet("::ffff:10.0.0.0/104", 8, 3).unwrap(), "10.3.0.0/16");
        assert!(subnet("10.0.0.0/8", -9, 0).is_err());
    }

    #[test]
    fn subnets_pack_consecutive_blocks() {
        assert_eq!(
            subnets("10.1.0.0/16", &[4, 4, 8, 4]).unwrap(),
            [
                "10.1.0.0/20",
                "10.1.16.0/20",
                "10.1.32.0/24",
                "10.1.48.0/20"
            ]
        );
        assert_eq!(
            subnets("fd00:fd12:3456:7890::/56", &[16, 16, 16, 32]).unwrap(),
            [
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88"
            ]
        );
        assert!(subnets("10.0.0.0/8", &[]).unwrap().is_empty());
        assert_eq!(
            subnets("10.0.0.0/30", &[1, 1, 1]).unwrap_err(),
            (
                3,
                "not enough remaining address space for a subnet with a prefix of 31 bits after 10.0.0.2/31"
                    .to_owned()
            )
        );
        assert_eq!(
            subnets("10.0.0.0/8", &[0]).unwrap_err(),
            (1, "must extend prefix by at least one bit".to_owned())
        );
        assert_eq!(
            subnets("10.0.0.0/8", &[33]).unwrap_err(),
            (1, "may not extend prefix by more than 32 bits".to_owned())
        );
        assert_eq!(
            subnets("10.0.0.0/30", &[3]).unwrap_err(),
            (
                1,
                "would extend prefix to 33 bits, which is too long for an IPv4 address".to_owned()
            )
        );
        // go-cidr's NextSubnet reports the wrap from 255.255.255.255 to 0.0.0.0 as a rollover.
        assert_eq!(
            subnets("0.0.0.0/0", &[1, 1]).unwrap_err(),
            (
                1,
                "not enough remaining address space for a subnet with a prefix of 1 bits after 128.0.0.0/1"
                    .to_owned()
            )
        );
    }
}
