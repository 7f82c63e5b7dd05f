/* TEST ONLY, never shipped: wine 8.0 has no bcryptprimitives.dll, and Go
 * 1.22+ programs call its ProcessPrng for random numbers at start. This
 * stand-in answers with RtlGenRandom (advapi32's SystemFunction036).
 * scripts/wine-test.sh builds it with mingw into its throwaway prefix. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
