use hv_abi::Layout;

#[derive(Layout)]
#[hv(tlfs = "HV_EXAMPLE", size = 16)]
#[repr(C)]
struct Example {
    #[hv(offset = 0)]
    selector: u16,
    #[hv(offset = 2, tlfs = "Base")]
    base: u64,
}

fn main() {}
