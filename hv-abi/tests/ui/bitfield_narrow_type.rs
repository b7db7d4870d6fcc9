#[hv_abi::bitfield(u32, tlfs = "HV_EXAMPLE")]
struct Example {
    #[bits(0..=9)]
    size: u8,
    #[bits(10..=31)]
    rest: Reserved,
}

fn main() {}
