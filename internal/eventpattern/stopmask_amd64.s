//go:build amd64 && !purego

#include "textflag.h"

// func stopMasksCopySSE2(src *byte, blocks int, dst *byte, masks *uint64)
// For each of blocks 64-byte blocks at src, copies the block to dst (from
// the registers the mask is computed from) and stores one word at masks
// whose bit i is set when byte i is '"', '\\' or below 0x20. SSE2 is part
// of the amd64 baseline, so no feature check is needed.
TEXT ·stopMasksCopySSE2(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ dst+16(FP), R9
	MOVQ masks+24(FP), DI
	TESTQ CX, CX
	JEQ donec
	MOVQ $0x2222222222222222, AX
	MOVQ AX, X10
	PUNPCKLQDQ X10, X10
	MOVQ $0x5c5c5c5c5c5c5c5c, AX
	MOVQ AX, X11
	PUNPCKLQDQ X11, X11
	MOVQ $0x1f1f1f1f1f1f1f1f, AX
	MOVQ AX, X12
	PUNPCKLQDQ X12, X12

loopc:
	MOVOU 0(SI), X0
	MOVOU X0, 0(R9)
	MOVOU X0, X1
	PCMPEQB X10, X1
	MOVOU X0, X2
	PCMPEQB X11, X2
	MOVOU X0, X3
	PMINUB X12, X3
	PCMPEQB X0, X3
	POR X2, X1
	POR X3, X1
	PMOVMSKB X1, AX

	MOVOU 16(SI), X4
	MOVOU X4, 16(R9)
	MOVOU X4, X5
	PCMPEQB X10, X5
	MOVOU X4, X6
	PCMPEQB X11, X6
	MOVOU X4, X7
	PMINUB X12, X7
	PCMPEQB X4, X7
	POR X6, X5
	POR X7, X5
	PMOVMSKB X5, BX

	MOVOU 32(SI), X0
	MOVOU X0, 32(R9)
	MOVOU X0, X1
	PCMPEQB X10, X1
	MOVOU X0, X2
	PCMPEQB X11, X2
	MOVOU X0, X3
	PMINUB X12, X3
	PCMPEQB X0, X3
	POR X2, X1
	POR X3, X1
	PMOVMSKB X1, DX

	MOVOU 48(SI), X4
	MOVOU X4, 48(R9)
	MOVOU X4, X5
	PCMPEQB X10, X5
	MOVOU X4, X6
	PCMPEQB X11, X6
	MOVOU X4, X7
	PMINUB X12, X7
	PCMPEQB X4, X7
	POR X6, X5
	POR X7, X5
	PMOVMSKB X5, R8

	SHLQ $16, BX
	SHLQ $32, DX
	SHLQ $48, R8
	ORQ BX, AX
	ORQ R8, DX
	ORQ DX, AX
	MOVQ AX, (DI)

	ADDQ $64, SI
	ADDQ $64, R9
	ADDQ $8, DI
	DECQ CX
	JNZ loopc

donec:
	RET

// func stopMasksCopyAVX2(src *byte, blocks int, dst *byte, masks *uint64)
// stopMasksCopySSE2 with 32-byte registers: about half the instructions
// per block. Only called when the CPU has AVX2 (stopmask_amd64.go). Every
// vector instruction is VEX-encoded, the constants' set-up too (VMOVQ, not
// MOVQ): a legacy SSE instruction among AVX ones costs a state transition,
// which made an earlier version of this routine three times slower than
// the SSE2 one on the machine it was measured on.
TEXT ·stopMasksCopyAVX2(SB), NOSPLIT, $0-32
	MOVQ src+0(FP), SI
	MOVQ blocks+8(FP), CX
	MOVQ dst+16(FP), R9
	MOVQ masks+24(FP), DI
	TESTQ CX, CX
	JEQ donea
	MOVQ $0x22, AX
	VMOVQ AX, X10
	VPBROADCASTB X10, Y10
	MOVQ $0x5c, AX
	VMOVQ AX, X11
	VPBROADCASTB X11, Y11
	MOVQ $0x1f, AX
	VMOVQ AX, X12
	VPBROADCASTB X12, Y12

loopa:
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y4
	VMOVDQU Y0, 0(R9)
	VMOVDQU Y4, 32(R9)
	VPCMPEQB Y10, Y0, Y1
	VPCMPEQB Y11, Y0, Y2
	VPMINUB Y12, Y0, Y3
	VPCMPEQB Y0, Y3, Y3
	VPOR Y2, Y1, Y1
	VPOR Y3, Y1, Y1
	VPMOVMSKB Y1, AX
	VPCMPEQB Y10, Y4, Y5
	VPCMPEQB Y11, Y4, Y6
	VPMINUB Y12, Y4, Y7
	VPCMPEQB Y4, Y7, Y7
	VPOR Y6, Y5, Y5
	VPOR Y7, Y5, Y5
	VPMOVMSKB Y5, BX
	SHLQ $32, BX
	ORQ BX, AX
	MOVQ AX, (DI)

	ADDQ $64, SI
	ADDQ $64, R9
	ADDQ $8, DI
	DECQ CX
	JNZ loopa
	VZEROUPPER

donea:
	RET
