(* SPDX-License-Identifier: MIT *)
(* Tests of the OCaml binding against the real libmyc. *)

open Mycelium

let expect_error code f =
  match f () with
  | _ -> Alcotest.failf "expected Mycelium.Error %d" code
  | exception Error (c, msg) ->
      Alcotest.(check int) "error code" code c;
      Alcotest.(check bool) "message not empty" true (String.length msg > 0)

let frame_roundtrip () =
  let payload = Bytes.of_string "hello, mycelium" in
  let b = Frame.encode ~type_id:0x42 ~seq:7L ~ts_ns:99L payload in
  Alcotest.(check int) "span" 48 (Bytes.length b);
  let h, p, span = Frame.decode b in
  Alcotest.(check int) "span" 48 span;
  Alcotest.(check int) "type" 0x42 h.Frame.type_id;
  Alcotest.(check int64) "seq" 7L h.Frame.seq;
  Alcotest.(check int) "len" (32 + Bytes.length payload) h.Frame.len;
  Alcotest.(check bytes) "payload" payload p

let frame_errors () =
  (* truncated header *)
  expect_error 4000 (fun () -> Frame.decode (Bytes.make 10 '\000'));
  (* unknown flag bit 0x100 *)
  let b = Frame.encode ~type_id:1 (Bytes.of_string "x") in
  Bytes.set b 7 '\001';
  expect_error 4004 (fun () -> Frame.decode b);
  (* system type without system flag is refused by the encoder *)
  expect_error 4005 (fun () -> Frame.encode ~type_id:0xff01 Bytes.empty)

let msg i = Bytes.of_string (Printf.sprintf "message-%04d" i)

let pubsub_roundtrip () =
  let bus = Bus.create ~name:"ocaml-test" () in
  let sub = Subscriber.create bus ~type_id:7 in
  let pub = Publisher.create bus ~type_id:7 in
  for i = 1 to 100 do
    Publisher.send pub (msg i)
  done;
  for i = 1 to 100 do
    match Subscriber.recv ~timeout_ms:1000 sub with
    | None -> Alcotest.failf "message %d missing" i
    | Some m ->
        Alcotest.(check bytes) "payload" (msg i) m.Subscriber.payload;
        Alcotest.(check int) "type" 7 m.Subscriber.header.Frame.type_id
  done;
  Alcotest.(check bool) "nothing more" true
    (Subscriber.recv ~timeout_ms:0 sub = None);
  Subscriber.close sub;
  Publisher.close pub;
  Bus.close bus

let other_types_not_delivered () =
  let bus = Bus.create () in
  let sub = Subscriber.create bus ~type_id:1 in
  let pub = Publisher.create bus ~type_id:2 in
  Publisher.send pub (msg 1);
  Alcotest.(check bool) "type 2 not seen by type-1 subscriber" true
    (Subscriber.recv ~timeout_ms:0 sub = None);
  Bus.close bus

let lossy_counts_loss () =
  let bus = Bus.create () in
  Bus.topic bus ~type_id:3 ~policy:Lossy ~depth:4 ();
  let sub = Subscriber.create bus ~type_id:3 in
  let pub = Publisher.create bus ~type_id:3 in
  for i = 1 to 10 do
    Publisher.send pub (msg i)
  done;
  let got = ref [] in
  Subscriber.iter ~timeout_ms:0 sub (fun m ->
      got := m.Subscriber.payload :: !got;
      true);
  Alcotest.(check int) "received newest depth" 4 (List.length !got);
  Alcotest.(check bytes) "last is newest" (msg 10) (List.hd !got);
  Alcotest.(check int64) "lost exactly" 6L (Subscriber.lost sub);
  Bus.close bus

let lossless_back_pressure () =
  let bus = Bus.create () in
  Bus.topic bus ~type_id:4 ~policy:Lossless ~depth:4 ();
  let sub = Subscriber.create bus ~type_id:4 in
  let pub = Publisher.create bus ~type_id:4 in
  for i = 1 to 4 do
    Publisher.send pub (msg i)
  done;
  expect_error Errors.back_pressured (fun () -> Publisher.send pub (msg 5));
  (match Subscriber.recv ~timeout_ms:0 sub with
  | Some m -> Alcotest.(check bytes) "oldest kept" (msg 1) m.Subscriber.payload
  | None -> Alcotest.fail "expected a message");
  Publisher.send pub (msg 5);
  Bus.close bus

let recv_all sub =
  let got = ref [] in
  Subscriber.iter ~timeout_ms:0 sub (fun m ->
      got := m.Subscriber.payload :: !got;
      true);
  List.rev !got

(* send_many: in order, all of them; an empty burst sends nothing. *)
let send_many_in_order () =
  let bus = Bus.create () in
  let sub = Subscriber.create bus ~type_id:11 in
  let pub = Publisher.create bus ~type_id:11 in
  let msgs = Array.init 50 msg in
  Alcotest.(check int) "all sent" 50 (Publisher.send_many pub msgs);
  Alcotest.(check int) "empty burst" 0 (Publisher.send_many pub [||]);
  Alcotest.(check (list bytes)) "in order" (Array.to_list msgs) (recv_all sub);
  Bus.close bus

(* A burst stops where a lossless topic fills up; one above max_size
   raises and sends nothing, not even the messages before it. *)
let send_many_partial_and_checked () =
  let bus = Bus.create () in
  Bus.topic bus ~type_id:12 ~policy:Lossless ~depth:4 ~max_size:64 ();
  let sub = Subscriber.create bus ~type_id:12 in
  let pub = Publisher.create bus ~type_id:12 in
  Alcotest.(check int) "up to the depth" 4
    (Publisher.send_many pub (Array.init 6 msg));
  expect_error Errors.back_pressured (fun () ->
      Publisher.send_many pub [| msg 9 |]);
  Alcotest.(check (list bytes)) "the first four" (List.init 4 msg) (recv_all sub);
  expect_error 90 (fun () ->
      Publisher.send_many pub [| msg 4; Bytes.make 65 'x' |]);
  Alcotest.(check (list bytes)) "none of a bad burst" [] (recv_all sub);
  Bus.close bus

(* A subscriber thread blocked in recv must not stop the publishing thread
   (the stub releases the runtime lock while it waits). *)
let thread_recv_while_publishing () =
  let bus = Bus.create () in
  let sub = Subscriber.create bus ~type_id:5 in
  let pub = Publisher.create bus ~type_id:5 in
  let n = 1000 in
  let count = ref 0 in
  let t =
    Thread.create
      (fun () ->
        Subscriber.iter ~timeout_ms:5000 sub (fun _ ->
            incr count;
            !count < n))
      ()
  in
  Thread.delay 0.01;
  for i = 1 to n do
    Publisher.send pub (msg i)
  done;
  Thread.join t;
  Alcotest.(check int) "all received" n !count;
  Bus.close bus

(* A lossless topic of depth 2, a publisher that blocks up to 10 s and a
   thread receiving [n] messages; [publish pub] sends them.  Returns what
   the thread received, in order. *)
let through_consumer_thread ~type_id n publish =
  let bus = Bus.create () in
  Bus.topic bus ~type_id ~policy:Lossless ~depth:2 ();
  let sub = Subscriber.create bus ~type_id in
  let pub = Publisher.create ~timeout_ms:10000 bus ~type_id in
  let seen = ref [] in
  let t =
    Thread.create
      (fun () ->
        Subscriber.iter ~timeout_ms:10000 sub (fun m ->
            seen := m.Subscriber.payload :: !seen;
            List.length !seen < n))
      ()
  in
  publish pub;
  Thread.join t;
  Bus.close bus;
  List.rev !seen

(* A lossless publisher blocked on a full queue must let the consuming
   thread run, or the two would deadlock. *)
let blocking_publisher_with_consumer_thread () =
  let n = 500 in
  let seen =
    through_consumer_thread ~type_id:6 n (fun pub ->
        for i = 1 to n do
          Publisher.send pub (msg i)
        done)
  in
  Alcotest.(check (list bytes)) "all, in order"
    (List.init n (fun i -> msg (i + 1))) seen

(* A blocking burst waits without the runtime lock for the consumer thread
   too (the stub then sends copies, the GC compacting in between). *)
let blocking_send_many_with_consumer_thread () =
  let n = 300 in
  let seen =
    through_consumer_thread ~type_id:13 n (fun pub ->
        let sent = ref 0 in
        while !sent < n do
          let burst = Array.init (min 7 (n - !sent)) (fun k -> msg (!sent + k)) in
          sent := !sent + Publisher.send_many pub burst;
          Gc.compact ()
        done)
  in
  Alcotest.(check (list bytes)) "all, in order" (List.init n msg) seen

let closed_handles_raise () =
  let bus = Bus.create () in
  let sub = Subscriber.create bus ~type_id:8 in
  Subscriber.close sub;
  expect_error 9 (fun () -> Subscriber.recv ~timeout_ms:0 sub);
  Bus.close bus;
  expect_error 9 (fun () -> Publisher.create bus ~type_id:8)

(* Closing a bus closes its publishers and subscribers; later use raises
   EBADF and their finalisers do nothing harmful. *)
let bus_close_closes_children () =
  let bus = Bus.create () in
  let sub = Subscriber.create bus ~type_id:9 in
  let pub = Publisher.create bus ~type_id:9 in
  Bus.close bus;
  expect_error 9 (fun () -> Publisher.send pub (msg 1));
  expect_error 9 (fun () -> Subscriber.recv ~timeout_ms:0 sub);
  Gc.full_major ()

(* Handles dropped without closing, bus first or children first: the
   finalisers run in whatever order the GC picks and must not crash. *)
let finalisers_in_any_order () =
  for i = 1 to 200 do
    let bus = Bus.create () in
    let pub = Publisher.create bus ~type_id:10 in
    let sub = Subscriber.create bus ~type_id:10 in
    Publisher.send pub (msg i);
    if i mod 2 = 0 then Subscriber.close sub;
    ignore (Sys.opaque_identity (pub, sub))
  done;
  Gc.full_major ();
  Gc.full_major ()

let bad_type_ids () =
  let bus = Bus.create () in
  expect_error 22 (fun () -> Subscriber.create bus ~type_id:0x10000);
  expect_error 22 (fun () -> Publisher.create bus ~type_id:(-1));
  Bus.close bus

(* Ring domain: a forced bus writes to the ring "<domain>.<type>" in
   /dev/shm (pure userspace mode) while a handle is open and removes it with
   the last one; bad options raise EINVAL.  Cross-process delivery is
   covered by tests/suites/interop.sh (real processes, every language). *)
let ring_domain_options () =
  let dom = Printf.sprintf "ocring%d" (Unix.getpid ()) in
  let path = Printf.sprintf "/dev/shm/myc.%s.%d" dom 0x7301 in
  let kernel = Sys.file_exists "/dev/mycelium" in
  let bus = Bus.create ~name:"forced" ~ring_domain:dom ~ring_force:true () in
  let pub = Publisher.create bus ~type_id:0x7301 in
  Publisher.send pub (msg 1);
  if not kernel then Alcotest.(check bool) "ring exists" true (Sys.file_exists path);
  Bus.close bus;
  Alcotest.(check bool) "ring removed" false (Sys.file_exists path);
  expect_error 22 (fun () -> Bus.create ~ring_domain:".hidden" ());
  expect_error 22 (fun () -> Bus.create ~ring_domain:"bad/slash" ());
  expect_error 22 (fun () -> Bus.create ~ring_domain:(String.make 58 'x') ());
  expect_error 22 (fun () -> Bus.create ~ring_force:true ())

let () =
  Alcotest.run "mycelium"
    [
      ( "frame",
        [
          Alcotest.test_case "roundtrip" `Quick frame_roundtrip;
          Alcotest.test_case "errors" `Quick frame_errors;
        ] );
      ( "bus",
        [
          Alcotest.test_case "pub/sub roundtrip" `Quick pubsub_roundtrip;
          Alcotest.test_case "type filtering" `Quick other_types_not_delivered;
          Alcotest.test_case "lossy loss count" `Quick lossy_counts_loss;
          Alcotest.test_case "lossless back-pressure" `Quick
            lossless_back_pressure;
          Alcotest.test_case "closed handles" `Quick closed_handles_raise;
          Alcotest.test_case "bad type ids" `Quick bad_type_ids;
          Alcotest.test_case "bus close closes children" `Quick
            bus_close_closes_children;
          Alcotest.test_case "finalisers in any order" `Quick
            finalisers_in_any_order;
          Alcotest.test_case "ring domain options" `Quick ring_domain_options;
          Alcotest.test_case "send_many in order" `Quick send_many_in_order;
          Alcotest.test_case "send_many partial, checked" `Quick
            send_many_partial_and_checked;
        ] );
      ( "threads",
        [
          Alcotest.test_case "recv thread + publisher" `Quick
            thread_recv_while_publishing;
          Alcotest.test_case "blocking publisher + consumer thread" `Quick
            blocking_publisher_with_consumer_thread;
          Alcotest.test_case "blocking send_many + consumer thread" `Quick
            blocking_send_many_with_consumer_thread;
        ] );
    ]
