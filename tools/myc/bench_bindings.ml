(* SPDX-License-Identifier: MIT *)
(* OCaml side of "myc bench bindings" (tools/myc/bench-bindings.c); the
   same commands, topic, pacing and stamp as tools/myc/bench_bindings.py:

     bench_bindings pub DOMAIN N READY
     bench_bindings sub DOMAIN N READY   prints one latency (ns) per message
     bench_bindings loop - N -           in-process publish + recv, total ns
     bench_bindings burst - N -          the same with send_many of [burst]
                                         messages, then [burst] recvs *)

module M = Mycelium

let type_id = 0x7e01
let size = 64
let gap_ns = 200_000L
let burst = 16 (* as BB_BURST in bench-bindings.c *)

let bus domain =
  let b = M.Bus.create ~name:"bench-bind-ml" ~ring_domain:domain () in
  M.Bus.topic b ~type_id ~policy:M.Lossless ~depth:1024 ~max_size:size ();
  b

let pub domain n =
  let b = bus domain in
  let p = M.Publisher.create ~timeout_ms:10000 b ~type_id in
  let buf = Bytes.make size '\000' in
  let next = ref (M.now_ns ()) in
  for i = 0 to n - 1 do
    let delay = Int64.sub !next (M.now_ns ()) in
    if delay > 0L then Unix.sleepf (Int64.to_float delay /. 1e9);
    next := Int64.add !next gap_ns;
    Bytes.set_int64_le buf 8 (Int64.of_int i);
    Bytes.set_int64_le buf 0 (M.now_ns ());
    M.Publisher.send p buf
  done;
  M.Bus.close b

let sub domain n ready =
  let b = bus domain in
  let s = M.Subscriber.create b ~type_id in
  close_out (open_out ready);
  let lat = Array.make n 0L in
  for i = 0 to n - 1 do
    match M.Subscriber.recv ~timeout_ms:10000 s with
    | None -> prerr_endline "bench_bindings: nothing received"; exit 1
    | Some m ->
      let now = M.now_ns () in
      lat.(i) <- Int64.sub now (Bytes.get_int64_le m.M.Subscriber.payload 0)
  done;
  Array.iter (fun v -> print_endline (Int64.to_string v)) lat;
  M.Bus.close b

let inproc name =
  let b = M.Bus.create ~name () in
  M.Bus.topic b ~type_id ~policy:M.Lossy ~depth:1024 ~max_size:size ();
  (b, M.Publisher.create b ~type_id, M.Subscriber.create b ~type_id)

(* In-process publish + recv on one thread, n times: the per-call cost. *)
let loop n =
  let b, p, s = inproc "bench-loop-ml" in
  let buf = Bytes.make size '\000' in
  let t0 = M.now_ns () in
  for _ = 1 to n do
    M.Publisher.send p buf;
    ignore (M.Subscriber.recv ~timeout_ms:0 s)
  done;
  print_endline (Int64.to_string (Int64.sub (M.now_ns ()) t0));
  M.Bus.close b

(* loop with send_many of [burst] messages, then [burst] recvs; n is a
   multiple of [burst]. *)
let burst_loop n =
  let b, p, s = inproc "bench-burst-ml" in
  let msgs = Array.init burst (fun _ -> Bytes.make size '\000') in
  let t0 = M.now_ns () in
  for _ = 1 to n / burst do
    ignore (M.Publisher.send_many p msgs);
    for _ = 1 to burst do
      if M.Subscriber.recv ~timeout_ms:0 s = None then begin
        prerr_endline "bench_bindings: a burst's message was not received";
        exit 1
      end
    done
  done;
  print_endline (Int64.to_string (Int64.sub (M.now_ns ()) t0));
  M.Bus.close b

let () =
  match Array.to_list Sys.argv with
  | [ _; "loop"; _; n; _ ] -> loop (int_of_string n)
  | [ _; "burst"; _; n; _ ] -> burst_loop (int_of_string n)
  | [ _; "pub"; d; n; _ ] -> pub d (int_of_string n)
  | [ _; "sub"; d; n; ready ] -> sub d (int_of_string n) ready
  | _ -> prerr_endline "usage: bench_bindings pub|sub|loop|burst DOMAIN N READY"; exit 2
