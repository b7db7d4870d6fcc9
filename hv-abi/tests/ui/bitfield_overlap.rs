#[hv_abi::bitfield(u32, tlfs = "HV_EXAMPLE")]
struct Example {
    #[bits(0..=15)]
    code: u16,
    #[bits(15..=31)]
    rest: u32,
}

fn main() {}
