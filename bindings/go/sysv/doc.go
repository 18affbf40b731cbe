// Package sysv is the System V half of the libpipc Go binding: semaphores, shared
// memory and message queues found by a Key (see Ftok, IPCPrivate, KeyRandom) or by the
// id the kernel gave them. Errors, timeouts, Close and the Context variants of the
// calls that wait (AcquireContext, AcquireNContext, WaitZeroContext, SendContext,
// ReceiveContext, ReceiveIntoContext, ReceiveTruncatedContext) behave as in package
// pipc (errors are *pipc.Error): Close ends the calls waiting on the handle with
// pipc.ErrClosed (semaphore waits within 50 ms, queue waits at once). Close never
// removes an object; Remove does, for every process at once, and calls blocked on it
// then fail with pipc.ErrNotExist.
package sysv
