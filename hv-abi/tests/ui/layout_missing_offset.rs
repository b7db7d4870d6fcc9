use hv_abi::Layout;

#[derive(Layout)]
#[hv(tlfs = "HV_EXAMPLE", size = 8)]
#[repr(C)]
struct Example {
    #[hv(offset = 0)]
    low: u32,
    high: u32,
}

fn main() {}
