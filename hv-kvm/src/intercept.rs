//! TLFS intercept messages (a 256-byte `HV_MESSAGE` with the x64 payload) built from a VP's state as the
//! VMM read it at an exit.

use hv_abi::VpIndex;
use hv_abi::synic::{Message, MessageType};
use hv_x64::{
    InstructionLengthCr8, InterceptAccessType, InterceptMessageHeader, IoPortAccessInfo, IoPortInterceptMessage,
    MsrInterceptMessage, SegmentRegister, VpExecutionState,
};
use zerocopy::{FromZeros, IntoBytes};

/// What a VP's registers held at an exit, in the ABI's terms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VpState {
    /// The VP.
    pub vp_index: u32,
    /// RIP of the intercepted instruction (not the one after it).
    pub rip: u64,
    /// RFLAGS.
    pub rflags: u64,
    /// RAX.
    pub rax: u64,
    /// RCX.
    pub rcx: u64,
    /// RDX.
    pub rdx: u64,
    /// RSI.
    pub rsi: u64,
    /// RDI.
    pub rdi: u64,
    /// CR0.
    pub cr0: u64,
    /// EFER.
    pub efer: u64,
    /// CS.
    pub cs: SegmentRegister,
    /// DS.
    pub ds: SegmentRegister,
    /// ES.
    pub es: SegmentRegister,
    /// SS.
    pub ss: SegmentRegister,
    /// Interrupts are blocked by MOV SS or STI.
    pub interrupt_shadow: bool,
    /// An event is being injected.
    pub interruption_pending: bool,
    /// DR7 enables a breakpoint.
    pub debug_active: bool,
    /// The intercepted instruction's bytes; `instruction_length` of them are valid (0 when unknown).
    pub instruction: [u8; 16],
    /// The intercepted instruction's length.
    pub instruction_length: u8,
}

impl VpState {
    /// `HV_X64_VP_EXECUTION_STATE`: CPL from SS's DPL (as the processor keeps it), CR0.PE, CR0.AM,
    /// EFER.LMA, and the event and shadow state.
    pub fn execution_state(&self) -> VpExecutionState {
        VpExecutionState::new()
            .with_cpl(self.ss.attributes.descriptor_privilege_level())
            .with_cr0_pe(self.cr0 & 1 != 0)
            .with_cr0_am(self.cr0 & (1 << 18) != 0)
            .with_efer_lma(self.efer & (1 << 10) != 0)
            .with_debug_active(self.debug_active)
            .with_interruption_pending(self.interruption_pending)
            .with_interrupt_shadow(self.interrupt_shadow)
    }

    /// The header every x64 intercept message starts with.
    pub fn header(&self, access: InterceptAccessType) -> InterceptMessageHeader {
        InterceptMessageHeader {
            vp_index: VpIndex(self.vp_index),
            instruction_length: InstructionLengthCr8::new().with_instruction_length(self.instruction_length & 0xF),
            intercept_access_type: access as u8,
            execution_state: self.execution_state(),
            cs_segment: self.cs,
            rip: self.rip,
            rflags: self.rflags,
        }
    }
}

/// The message of `message_type` carrying `payload` from the hypervisor (sender 0). Every payload here
/// belongs to its type, so the error arm is never taken; it would give an empty message, not a panic.
fn message<T: hv_abi::synic::MessagePayload + IntoBytes>(message_type: MessageType, payload: &T) -> Message {
    Message::new(message_type, 0, payload).unwrap_or_else(|_| Message::new_zeroed())
}

/// The access type of a data access: a write, or a read.
fn data_access(write: bool) -> InterceptAccessType {
    if write {
        InterceptAccessType::Write
    } else {
        InterceptAccessType::Read
    }
}

/// `HV_X64_IO_PORT_INTERCEPT_MESSAGE` for an `IN`, `OUT`, `INS` or `OUTS` at `port`: `access` gives the
/// element size and whether it is a string instruction with a REP prefix (RCX, RSI and RDI, as the VP
/// held them, give its count and addresses).
pub fn io_port(state: &VpState, port: u16, access: IoPortAccessInfo, write: bool) -> Message {
    let payload = IoPortInterceptMessage {
        header: state.header(data_access(write)),
        port_number: port,
        access_info: access,
        instruction_byte_count: state.instruction_length.min(16),
        reserved: 0,
        rax: state.rax,
        instruction_bytes: state.instruction,
        ds_segment: state.ds,
        es_segment: state.es,
        rcx: state.rcx,
        rsi: state.rsi,
        rdi: state.rdi,
    };
    message(MessageType::X64_IO_PORT_INTERCEPT, &payload)
}

/// `HV_X64_MSR_INTERCEPT_MESSAGE` for RDMSR or WRMSR of `msr` (ECX); RDX:RAX as the VP held them.
pub fn msr(state: &VpState, msr: u32, write: bool) -> Message {
    let payload = MsrInterceptMessage {
        header: state.header(data_access(write)),
        msr_number: msr,
        reserved: 0,
        rdx: state.rdx,
        rax: state.rax,
    };
    message(MessageType::X64_MSR_INTERCEPT, &payload)
}

/// `HvMessageTypeX64Halt`: the header alone, access type execute.
pub fn halt(state: &VpState) -> Message {
    message(MessageType::X64_HALT, &state.header(InterceptAccessType::Execute))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hv_x64::SegmentAttributes;
    use hv_x64::parse::{self, X64Payload};

    fn state() -> VpState {
        let code = SegmentAttributes::from_bits(0xA09B);
        let data = SegmentAttributes::from_bits(0xC093);
        let seg = |selector, attributes| SegmentRegister {
            base: 0,
            limit: 0xFFFF_FFFF,
            selector,
            attributes,
        };
        VpState {
            vp_index: 1,
            rip: 0x10_0040,
            rflags: 0x2,
            rax: 0x41,
            cr0: 0x8001_0033,
            efer: 0x500,
            cs: seg(0x8, code),
            ds: seg(0x10, data),
            es: seg(0x10, data),
            ss: seg(0x10, data),
            instruction: [0xEE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            instruction_length: 1,
            ..VpState::default()
        }
    }

    #[test]
    fn an_io_port_message_parses_back_to_the_state_it_came_from() {
        let m = io_port(&state(), 0x3F8, IoPortAccessInfo::new().with_access_size(1), true);
        let mut scratch = Message::new_zeroed();
        let parsed = parse::parse(m.as_bytes(), &mut scratch).unwrap();
        let X64Payload::IoPort(io) = parsed.payload else {
            panic!("not an I/O port message: {:?}", parsed.header.message_type)
        };
        assert_eq!((io.port_number, io.access_info.access_size(), io.rax), (0x3F8, 1, 0x41));
        assert_eq!(io.header.access_type(), Ok(InterceptAccessType::Write));
        assert_eq!((io.header.rip, io.header.vp_index), (0x10_0040, VpIndex(1)));
        assert_eq!(io.header.instruction_length.instruction_length(), 1);
        let es = io.header.execution_state;
        assert_eq!(
            (es.cpl(), es.cr0_pe(), es.efer_lma(), es.cr0_am()),
            (0, true, true, false)
        );
        assert_eq!((io.instruction_byte_count, io.instruction_bytes[0]), (1, 0xEE));
        assert_eq!(io.header.cs_segment.attributes.into_bits(), 0xA09B);
    }

    #[test]
    fn msr_and_halt_messages_carry_their_types() {
        let m = msr(&state(), 0x277, false);
        assert_eq!(m.header.message_type, MessageType::X64_MSR_INTERCEPT);
        assert_eq!(usize::from(m.header.payload_size), size_of::<MsrInterceptMessage>());
        let h = halt(&state());
        assert_eq!(h.header.message_type, MessageType::X64_HALT);
        assert_eq!(usize::from(h.header.payload_size), size_of::<InterceptMessageHeader>());
    }
}
