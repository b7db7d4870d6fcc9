#[hv_abi::bitfield(u16, tlfs = "HV_EXAMPLE")]
struct Example {
    #[bits(0..=3)]
    kind: u8,
    #[bits(8..=15)]
    high: u8,
}

fn main() {}
